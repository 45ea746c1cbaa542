# The relay (worker + Telegram channel) as a container, for docker-compose.temporal.yml.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV RELAY_DATA_DIR=/data
VOLUME /data
USER node
ENTRYPOINT ["node", "bin/relay.js"]
CMD ["up"]
