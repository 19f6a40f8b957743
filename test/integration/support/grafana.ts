// The queries of a Grafana dashboard, with its variables replaced the way Grafana replaces them
// before sending a query to Prometheus. No Grafana runs here (see docs: its module is AGPL and it
// is no Debian package); what Grafana adds to a query is only this substitution.

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

/** Every Prometheus query of every panel, rows' panels included. */
export function dashboardQueries(dashboard: { panels?: Panel[] }): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const visit = (panel: Panel): void => {
    for (const target of panel.targets ?? []) {
      if (target.expr) queries.push({ panel: panel.title ?? '(untitled)', refId: target.refId ?? '', expr: target.expr });
    }
    for (const child of panel.panels ?? []) visit(child);
  };
  for (const panel of dashboard.panels ?? []) visit(panel);
  return queries;
}

export interface GrafanaContext {
  /** The dashboard's time range, as a Prometheus duration: Grafana's $__range. */
  range: string;
  /**
   * $__rate_interval: Grafana makes it max($__interval + scrape interval, 4 × scrape interval),
   * at least a minute with the data source's default 15 s scrape interval. The caller chooses it.
   */
  rateInterval: string;
  /** $__interval: the time range divided by the panel's width in points. */
  interval: string;
  /** Dashboard variables by name, each one value (a multi-value variable with one selected). */
  variables: Readonly<Record<string, string>>;
}

/**
 * `expr` as Grafana sends it. A single selected value of a variable used in a regex matcher is
 * inserted regex-escaped, as Grafana's Prometheus data source does; a variable the context does
 * not name is an error rather than a query that silently matches nothing.
 */
export function asGrafanaSends(expr: string, context: GrafanaContext): string {
  const builtIn: Record<string, string> = { __range: context.range, __rate_interval: context.rateInterval, __interval: context.interval };
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = builtIn[name] ?? (context.variables[name] === undefined ? undefined : escapeRegex(context.variables[name]));
    if (value === undefined) throw new Error(`the query uses $${name}, which neither Grafana nor the dashboard defines: ${expr}`);
    return value;
  });
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\$&');
}
