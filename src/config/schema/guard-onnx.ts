import { z } from 'zod';

/**
 * `guard.injection.onnx`: a local transformer sequence classifier (docs/guardrails.md, "Local ONNX
 * classifier"), e.g. an operator's Prompt Guard 2 or DeBERTa-v3 prompt-injection export. Nothing is
 * downloaded: both files are read from these paths at boot, and a file that does not load refuses
 * the start.
 */
export const onnxClassifierSchema = z
  .object({
    /** The ONNX model (inputs input_ids, attention_mask and optionally token_type_ids; output [batch, labels]). */
    modelPath: z.string().min(1),
    /** Its HuggingFace tokenizer.json (a tokenizer_config.json beside it is read too). */
    tokenizerPath: z.string().min(1),
    /** Score (1 − p(benignLabel)) at or above which the user text is an attack; the route's injection action applies. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Index of the benign label in the logits: 0 for Prompt Guard 1/2 and the DeBERTa-v3 exports. */
    benignLabel: z.number().int().min(0).max(255).default(0),
    /**
     * Per request, from submission to answer (queueing included): later, the built-in detector's
     * verdict stands alone and `gatehouse_guard_onnx_fallbacks_total{reason="budget"}` counts it.
     */
    budgetMs: z.number().int().min(1).max(60_000).default(50),
    /** Worker threads, each with its own session (memory: one copy of the model each). */
    workers: z.number().int().min(1).max(16).default(1),
    /** Intra-op threads of each session. */
    threadsPerWorker: z.number().int().min(1).max(16).default(1),
    /** Tokens per window, special tokens included (the model's context: 512 for Prompt Guard 2). */
    maxTokens: z.number().int().min(8).max(8_192).default(512),
    /** Windows per text, run as one batch: the head's `maxWindows − 1` and the tail's last. */
    maxWindows: z.number().int().min(1).max(16).default(4),
    /** Texts waiting for a worker; beyond, a text falls back at once (reason `queue`). */
    maxQueue: z.number().int().min(1).max(10_000).default(64),
    /** Load and warm-up time allowed per worker at boot. */
    loadTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
  })
  .strict();

export type OnnxClassifierConfig = z.infer<typeof onnxClassifierSchema>;
