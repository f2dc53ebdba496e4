"""A function of x typed by a teacher (`3x^2 - 7x + 10`), parsed safely: only numbers, x, + - * / ^,
parentheses and a few named functions are accepted; nothing is ever eval'ed.

The parsed function runs on floats, and on Values, so that its derivative comes from the engine's own
backward pass.
"""

import ast
import math
import re

from nnanim.engine.numbers import number
from nnanim.engine.value import Value
from nnanim.errors import NnanimError

# The functions the engine can differentiate, on floats and on Values.
_FLOAT = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt, "relu": lambda x: max(x, 0.0)}
_VALUE = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "sqrt": lambda v: v**0.5, "relu": Value.relu}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b}
MAX_LENGTH = 200


class ExpressionError(NnanimError, ValueError):
    """An expression that is not a function of x we accept; the message says what is wrong."""


def normalize(text):
    """`3x^2 - 7x + 10` -> `3*x**2 - 7*x + 10`: ^ is a power, a number before x or ( multiplies."""
    text = text.replace("^", "**").replace("\u2212", "-").replace("\u00b7", "*")
    text = re.sub(r"(?<![A-Za-z_])(\d+\.?\d*|\.\d+)\s*(?=[A-Za-z(])", r"\1*", text)
    return re.sub(r"\)\s*(?=[A-Za-z0-9(])", ")*", text)


class Function:
    """f(x) from text; call it with a float, or `derivative(x)` for f'(x) by backpropagation."""

    def __init__(self, text, variable="x"):
        if len(text) > MAX_LENGTH:
            raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
        self.text, self.variable = text.strip(), variable
        try:
            tree = ast.parse(normalize(text), mode="eval")
        except SyntaxError:
            raise ExpressionError(f"{text!r} is not an expression of {variable} (e.g. 3x^2 - 7x + 10)") from None
        self._check(tree.body)
        self.tree = tree.body

    def _check(self, node):
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self._check(node.operand)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            pass
        elif isinstance(node, ast.Name) and node.id == self.variable:
            pass
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FLOAT
              and len(node.args) == 1 and not node.keywords):
            self._check(node.args[0])
        else:
            what = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
            raise ExpressionError(f"{what!r} is not allowed: use numbers, {self.variable}, + - * / ^, "
                                  f"parentheses and {', '.join(sorted(_FLOAT))}")

    def _eval(self, node, x, functions):
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, x, functions), self._eval(node.right, x, functions))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, x, functions)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant):
            return float(node.value)  # floats overflow to an error instead of computing 9**9**9
        if isinstance(node, ast.Name):
            return x
        return functions[node.func.id](self._eval(node.args[0], x, functions))

    def __call__(self, x):
        """f(x), or NaN where f is not defined as a real number (log of 0, (-1)^0.5, 1/0)."""
        try:
            return _real(self._eval(self.tree, float(x), _FLOAT))
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan

    def derivative(self, x):
        """f'(x), by the engine's backward pass through the expression."""
        v = Value(float(x), label=self.variable)
        try:
            out = self._eval(self.tree, v, _VALUE)
        except AssertionError:
            raise ExpressionError(f"{self.text!r}: an exponent must be a number, not an expression of "
                                  f"{self.variable}") from None
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan
        if not isinstance(out, Value):
            return 0.0
        if math.isnan(_real(out.data)):
            return math.nan
        try:
            out.backward()
        except (ZeroDivisionError, ValueError, OverflowError):
            return math.nan
        return _real(v.grad)

    def defined_at(self, x):
        """None if f and its slope are real numbers at x, else what is not, in words for a person."""
        if not math.isfinite(self(x)):
            return f"{self.text} is not defined at x = {number(x)}"
        if not math.isfinite(self.derivative(x)):
            return f"the slope of {self.text} is not defined at x = {number(x)}"
        return None


def _real(value):
    """A result as a float; NaN for a complex one (a negative number to a fractional power)."""
    return math.nan if isinstance(value, complex) else float(value)

