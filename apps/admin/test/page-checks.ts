import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe, { type AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './harness';

/** The two sizes every page state is checked at: a laptop, and a phone held upright. */
export const VIEWPORTS = {
  wide: { width: 1366, height: 860 },
  narrow: { width: 390, height: 844 },
} as const;

/** WCAG 2.0–2.2 levels A and AA, plus axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * Checks one page state the way a reviewer would, at both sizes in {@link VIEWPORTS}: the page
 * never scrolls sideways, axe finds no violation of any impact, and a full-page screenshot is
 * saved as `test-results/<name>-wide.png` and `<name>-narrow.png`. The page's own viewport is
 * restored afterwards, so a journey goes on where it was.
 *
 * @example await checkPageState(page, '02-credentials');
 */
export async function checkPageState(page: Page, name: string): Promise<void> {
  if (!/^[\w-]+$/.test(name)) throw new Error(`page state name "${name}" is not file-name safe`);
  const previous = page.viewportSize();
  try {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(viewport);
      await settle(page);
      const state = `${name} at ${viewport.width}×${viewport.height}`;
      // First, so that a failing state can be looked at.
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
      await assertNoSidewaysScroll(page, state);
      await assertNoAxeViolations(page, state);
    }
  } finally {
    if (previous) await page.setViewportSize(previous);
  }
}

/** Waits for fonts, the finite animations and transitions running now, and two frames. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    const finite = document
      .getAnimations()
      .filter((a) => a.effect?.getComputedTiming().endTime !== Number.POSITIVE_INFINITY);
    await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
    for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
  });
}

async function assertNoSidewaysScroll(page: Page, state: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return null;
    // Content inside a box that scrolls or clips by itself cannot widen the page.
    const clipped = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
        if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    // The element whose box reaches furthest right (the outermost, on a tie); failing that, the
    // innermost one whose content spills out of its box (a long word in a narrow cell).
    let widest: { el: Element; right: number } | null = null;
    let spilling: { el: Element; right: number } | null = null;
    for (const el of document.body.querySelectorAll('*')) {
      if (clipped(el)) continue;
      const box = el.getBoundingClientRect();
      const right = box.right + window.scrollX;
      if (right > width && (!widest || right > widest.right)) widest = { el, right };
      const spill = box.left + window.scrollX + el.scrollWidth;
      if (getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1)
        if (spill > width) spilling = { el, right: spill };
    }
    const culprit = widest ?? spilling;
    const describe = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const classes = [...el.classList].map((c) => `.${c}`).join('');
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
      return `<${el.tagName.toLowerCase()}${id}${classes}> "${text}"`;
    };
    return {
      width,
      scrollWidth,
      widest: culprit ? `${describe(culprit.el)} reaching ${Math.round(culprit.right)} px` : 'none',
    };
  });
  if (overflow)
    throw new Error(
      `${state}: the page scrolls sideways (scrollWidth ${overflow.scrollWidth} > innerWidth ${overflow.width}); widest element: ${overflow.widest}`,
    );
}

async function assertNoAxeViolations(page: Page, state: string): Promise<void> {
  // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') allows it.
  await page.evaluate(axe.source);
  const results = await page.evaluate(
    (tags) =>
      (window as unknown as { axe: typeof axe }).axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      }),
    AXE_TAGS,
  );
  const violations = (results as AxeResults).violations;
  if (violations.length === 0) return;
  const lines = violations.flatMap((v) =>
    v.nodes.map((n) => `  ${v.id} (${v.impact ?? 'no impact'}): ${n.target.join(' ')} — ${v.help}`),
  );
  throw new Error(`${state}: axe found ${lines.length} violation(s):\n${lines.join('\n')}`);
}
