"""A student's script with labels chosen to break things: long, and LaTeX that would read a file."""

HOSTILE = r"""
from nnanim import MLP, Value

mlp = MLP(2, [3, 1], seed=3)
data = [([0.5, -1.0], 1.0), ([-0.5, 2.0], -1.0)]
for step in range(3):
    loss = Value(0.0, label="a_very_long_loss_label_written_by_a_student")
    for x, y in data:
        xs = [Value(x[0], label="temperature_in_celsius_at_noon"), Value(x[1], label="}{\\input{x}%$#_^")]
        loss = loss + (mlp(xs)[0] - y) ** 2
    for p in mlp.parameters():
        p.grad = 0.0
    loss.backward()
    for p in mlp.parameters():
        p.data -= 0.05 * p.grad
"""


def hostile_trace(root):
    """HOSTILE traced into root/hostile.nntrace (with `nnanim trace`, as a teacher would)."""
    from click.testing import CliRunner

    from nnanim.cli import main

    (root / "hostile.py").write_text(HOSTILE)
    result = CliRunner().invoke(main, ["trace", str(root / "hostile.py"), "-o", str(root / "hostile.nntrace")])
    assert result.exit_code == 0, result.output
    return root / "hostile.nntrace"
