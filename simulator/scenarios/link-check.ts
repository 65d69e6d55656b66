/**
 * Link rules that span the layers of a scenario (built-in < defaults.link < node.link < up/down,
 * see ../net/config.ts): a bursty loss is checked on the settings each direction really gets, by
 * the loss model's own constructor, so the schema refuses exactly what the engine would.
 */
import type { LinkConfigInput } from '../net/config.ts';
import { mergeLinkConfig } from '../net/config.ts';
import { GilbertElliottLoss } from '../net/loss.ts';

interface Problem {
  path: (string | number)[];
  message: string;
}

interface LinkLayers {
  defaults?: { link?: unknown } | undefined;
  nodes: readonly { link?: unknown; up?: unknown; down?: unknown }[];
}

export function linkProblems(scenario: LinkLayers): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const defaults = scenario.defaults?.link as LinkConfigInput | undefined;
  scenario.nodes.forEach((node, i) => {
    for (const side of ['up', 'down'] as const) {
      const layers: [(string | number)[], LinkConfigInput | undefined][] = [
        [['defaults', 'link'], defaults],
        [['nodes', i, 'link'], node.link as LinkConfigInput | undefined],
        [['nodes', i, side], node[side] as LinkConfigInput | undefined],
      ];
      const merged = mergeLinkConfig(...layers.map(([, l]) => l));
      if (merged.burstLoss === undefined) continue;
      try {
        GilbertElliottLoss.fromConfig(merged.burstLoss, merged.lossPct);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        // Name the layer that set burstLoss last: that is the one to change.
        const at = [...layers].reverse().find(([, l]) => l?.burstLoss !== undefined)![0];
        const path = [...at, 'burstLoss'];
        const key = `${path.join('.')}|${error.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push({ path, message: `expected a loss the model can produce: ${error.message}` });
      }
    }
  });
  return problems;
}
