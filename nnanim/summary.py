"""What `nnanim inspect` says about a trace, as a dict (the --json keys) and as text."""

import math
import unicodedata

from nnanim.engine.tracefile import VERSION


def summarize(trace, header_version=VERSION):
    losses = trace.losses
    finite = losses[[math.isfinite(x) for x in losses]] if len(losses) else losses
    graphs = [{"nodes": len(g), "forward_events": len(g), "backward_events": int((g.arity > 0).sum()),
               "steps": int((trace.step_graph == i).sum())} for i, g in enumerate(trace.graphs)]
    meta = trace.meta
    bad = trace.first_bad_step()
    return {
        "format_version": header_version,
        "nnanim_version": trace.written_by,
        "source": meta.get("source", "unknown"),
        "architecture": meta.get("architecture"),
        "steps": trace.num_steps,
        "level": trace.level,
        "data": meta.get("data"),
        "graphs": graphs,
        "parameters": trace.parameter_count(),
        "loss": {"first": _num(losses[0]) if len(losses) else None,
                 "last": _num(losses[-1]) if len(losses) else None,
                 "min": _num(finite.min()) if len(finite) else None},
        "first_bad_step": bad,
        "meta": meta,
    }


def _num(x):
    return float(x)


def as_text(info, path):
    arch = info["architecture"]
    script = _plain(info["meta"].get("script") or "")
    lines = [f"{path}: nnanim trace, format version {info['format_version']}"
             + (f", written by nnanim {_plain(info['nnanim_version'])}" if info["nnanim_version"] else ""),
             f"  source        {_plain(info['source'])}" + (f" ({script})" if script else ""),
             f"  architecture  {','.join(map(str, arch)) if arch else 'unknown (not an engine MLP run)'}",
             f"  steps         {info['steps']}" + (" (parameters and losses only)" if info["level"] == "params" else ""),
             f"  parameters    {info['parameters']}"]
    for i, g in enumerate(info["graphs"]):
        lines.append(f"  graph {i}       {g['nodes']} nodes, {g['forward_events']} forward and "
                     f"{g['backward_events']} backward events per step, {g['steps']} steps")
    loss = info["loss"]
    lines.append(f"  loss          first {_show(loss['first'])}, last {_show(loss['last'])}, min {_show(loss['min'])}")
    if info["first_bad_step"] is not None:
        lines.append(f"  diverged      NaN or infinite values from step {info['first_bad_step']}")
    return "\n".join(lines)


def _plain(text):
    """A string from the file as the terminal may show it: without control and format characters (escape
    sequences, bidirectional overrides), so that a shared trace cannot drive the teacher's terminal."""
    return "".join(c for c in str(text) if unicodedata.category(c)[0] != "C")


def _show(x):
    return "-" if x is None else (f"{x:.6g}" if isinstance(x, float) else x)
