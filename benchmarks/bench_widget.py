"""Live widget benchmark (issue 25): how much `nnanim.record(live=True)` slows training, in a real kernel.

    python benchmarks/bench_widget.py [--steps 1000] [--repeats 5]

A python3 kernel (ipykernel, started by nbclient, which receives the widget's comm messages over ZMQ as a
notebook front end does) trains the workshop's network (3 inputs, layers 2, 4, 4, 2, its 4 examples, total
SSE, lr 0.01) for --steps steps inside `nnanim.record()` and inside `nnanim.record(live=True)`, interleaved,
after a warm-up. Measured in the kernel: the training loop (every step recorded, and with live=True the
widget told of each step and sent the losses and weights at most ten times a second; wall-clock and the
CPU time of the kernel's process, its threads that send the messages included), and the end of the
block (with live=True: the explorer's data of the whole run set on the widget). Median and fastest of
--repeats (a shared machine is noisy: the fastest is the least disturbed).
Figures go in docs/performance.md.
"""

import argparse
import json
import statistics

SETUP = """
import json, time
import numpy as np
import nnanim
from nnanim import MLP, total_sse

def train(steps, live):
    np.random.seed(42)
    mlp = MLP(3, [2, 4, 4, 2])
    inputs = [[1, 2, 3], [3, -2, 1], [1, 0, 1], [2, 2, -1]]
    gtos = [[1, -1], [-1, 1], [0.5, 1], [-1, -0.5]]
    start, cpu = time.perf_counter(), time.process_time()
    with nnanim.record(live=live) as run:
        for _ in range(steps):
            loss = total_sse([mlp(i) for i in inputs], gtos)
            for p in mlp.ps():
                p.grad = 0
            loss.backward()
            for p in mlp.ps():
                p.data += 0.01 * -p.grad
        trained, used = time.perf_counter() - start, time.process_time() - cpu
    return trained, used, time.perf_counter() - start - trained
"""


def main():
    import nbclient
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    runs = (f"print(json.dumps([[live, *train({args.steps}, live)] for _ in range({args.repeats}) "
            "for live in (False, True)]))")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(
        "train(100, False); train(100, True);"), nbformat.v4.new_code_cell(runs)])
    nbclient.NotebookClient(notebook, timeout=1200, kernel_name="python3").execute()
    rows = json.loads(notebook.cells[-1].outputs[-1]["text"])
    updates = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    print(f"{args.steps} steps, {args.repeats} runs each, in a real kernel: median (fastest)")
    for name, pick in (("median", statistics.median), ("fastest", min)):
        for what, column in (("wall-clock", 1), ("CPU of the kernel's process", 2)):
            plain = pick(row[column] for row in rows if not row[0])
            live = pick(row[column] for row in rows if row[0])
            print(f"  {name}, {what}: recording {plain:.3f} s, recording live {live:.3f} s "
                  f"({(live / plain - 1) * 100:+.1f} %)")
        print(f"  {name}: the explorer at the end of a live run {pick(row[3] for row in rows if row[0]):.3f} s")
    print(f"  widgets the front end holds: {len(updates.get('state', {}))}")


if __name__ == "__main__":
    main()
