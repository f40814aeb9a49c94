# Vigie's image: every role, `vigie <role>`. Built on the current Node.js LTS.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY services ./services
COPY ui ./ui
# The UI is bundled without its type checks (they read the test files, which CI runs).
RUN npm ci --no-audit --no-fund && npx tsc -b && npm run bundle -w @vigie/ui && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# data/ belongs to the node user, so a volume mounted there starts writable by it.
RUN chmod +x services/cli/dist/main.js && ln -s /app/services/cli/dist/main.js /usr/local/bin/vigie \
  && mkdir -p /app/data && chown node:node /app/data
USER node
# Ops endpoints (/metrics, /health, /ready) of the processor.
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s CMD node -e "fetch('http://127.0.0.1:' + (process.env.VIGIE_OPS_PORT || 9464) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["vigie", "help"]
