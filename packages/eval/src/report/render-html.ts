import { reportCharts, type ChartSpec } from './charts.js';
import { renderMarkdownReport, type EvaluationReport } from './report.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Renders a vega-lite spec to an SVG string in Node (no browser, no network). */
export async function renderChartSvg(chart: ChartSpec): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile(chart.spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Minimal Markdown tables → HTML (the report's Markdown holds headings, tables and bullets only). */
function markdownToHtml(md: string): string {
  const lines = md.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith('|')) {
        const cells = lines[i]!.slice(1, -1).split('|').map((c) => c.trim());
        if (!cells.every((c) => /^-+$/.test(c))) rows.push(cells);
        i++;
      }
      i--;
      // a key/value table has an empty header row (Markdown needs one): HTML drops it
      const headed = rows.length > 0 && !rows[0]!.every((c) => c === '');
      const body = headed ? rows : rows.slice(1);
      out.push('<table>' + body.map((r, ri) => `<tr>${r.map((c) => (headed && ri === 0 ? `<th>${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('') + '</table>');
    } else if (l.startsWith('## ')) out.push(`<h2>${escapeHtml(l.slice(3))}</h2>`);
    else if (l.startsWith('# ')) out.push(`<h1>${escapeHtml(l.slice(2))}</h1>`);
    else if (l.startsWith('- ')) out.push(`<p class="note">${escapeHtml(l.slice(2))}</p>`);
    else if (/^_.*_$/.test(l)) out.push(`<p class="meta">${escapeHtml(l.slice(1, -1))}</p>`);
  }
  return out.join('\n');
}

/**
 * One self-contained HTML file: the report's tables and its charts as inline SVG (vega-lite
 * rendered in Node). It loads nothing when opened — no scripts, fonts, styles or images from
 * elsewhere.
 */
export async function renderHtmlReport(report: EvaluationReport): Promise<string> {
  const charts = reportCharts(report);
  const svgs = await Promise.all(charts.map(async (c) => ({ c, svg: await renderChartSvg(c) })));
  const body = markdownToHtml(renderMarkdownReport(report));
  const figures = svgs.map(({ c, svg }) => `<figure class="chart" data-chart="${escapeHtml(c.id)}"><figcaption>${escapeHtml(c.title)}</figcaption>${svg}</figure>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;font-variant-numeric:tabular-nums}
th{background:#f4f4f4}h1{margin-bottom:.2rem}.meta{color:#777;margin-top:0}.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
figure.chart{margin:0;padding:.5rem;border:1px solid #eee;border-radius:6px}figcaption{font-weight:600;margin-bottom:.3rem}.note{color:#555}
</style></head><body>
${body}
<h2>Charts</h2>
<div class="charts">
${figures}
</div>
</body></html>
`;
}
