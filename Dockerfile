# One image for both services; docker-compose.yml picks the entry point.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# patch-package applies patches/ after every install (postinstall).
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
USER node
