#!/usr/bin/env node
// `npm start`: (after ensure + build) starts the demo server; prints the URL.
import { serveStatic } from './serve.mjs';

const port = Number(process.env.PORT ?? 8080);
await serveStatic({ port, routes: { '/': 'demo', '/dist/': 'dist', '/models/': 'models', '/node_modules/': 'node_modules' } });
console.log(`ferryml demo: http://localhost:${port}/`);
