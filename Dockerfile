# syntax=docker/dockerfile:1
# One image for the server and the processor: they share @orders/core, the lockfile and most
# libraries, are built by one command and released together (the events between them are one
# contract), so one image keeps them on the same version and builds once. The command picks:
#   docker run IMAGE server      (the default: GraphQL and the dashboard on 4000)
#   docker run IMAGE processor   (the consumer group; /health, /ready, /metrics on 4001)
#   docker run IMAGE payments    (the stand-in payment provider on 4010, for Compose and demos)
#
# The base is a build argument: the official Node image of the version package.json's "engines"
# asks for. A machine without a registry passes a local one (infra/image/build-image.sh does).
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
# The same script test/deploy builds the production artifacts with: the project's build, then the
# bundles, the dashboard and the production dependencies laid out in /out.
RUN sh infra/image/build-production.sh /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    PROCESSOR_HOST=0.0.0.0 \
    PROCESSOR_PORT=4001
WORKDIR /app
# Owned by root and read-only to the service: the user it runs as cannot change its own code.
COPY --from=build /out /app
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 4000 4001
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["node", "/app/start.mjs"]
CMD ["server"]
