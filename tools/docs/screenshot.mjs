#!/usr/bin/env node
// Full-page PNG of an HTML report in headless Chromium (the system one: never a download).
// Usage: node tools/docs/screenshot.mjs REPORT.html OUT.png [width=1200]
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [input, output, width = '1200'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/docs/screenshot.mjs REPORT.html OUT.png [width]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } });
  await page.goto(pathToFileURL(path.resolve(input)).href);
  await page.screenshot({ path: output, fullPage: true });
} finally {
  await browser.close();
}
console.log(`wrote ${output}`);
