# Gatehouse container image (docs/deploy.md). Two stages: build with the full Node toolchain, run on
# distroless (no shell, no package manager, no curl), as a numeric non-root user, on a read-only root
# filesystem: the only writable paths are the declared volumes (audit spool, /tmp).

FROM node:20.19-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund
# onnxruntime-node (guard.injection.onnx) ships native libraries for every platform (~290 MB): keep
# only this image's own.
RUN keep="$(node -p "process.platform + '/' + process.arch")" \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d ! -path "*/$keep" -exec rm -rf {} +

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY models ./models
COPY data ./data
# 65532 is distroless' "nonroot"; numeric so Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
VOLUME ["/var/lib/gatehouse/spool", "/tmp"]
# The data plane only; health (8081) and metrics (9464) stay off the published ports.
EXPOSE 8443
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 CMD ["/nodejs/bin/node", "/app/bin/healthcheck.js"]
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/gatehouse.js"]
CMD ["start", "--config", "/etc/gatehouse/gatehouse.yaml"]
