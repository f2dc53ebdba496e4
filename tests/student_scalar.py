"""A student's own Value class as the workshop has them write it, under other names (`val`, `g`,
`_children`, `_op`, `_back`): the corpus the learner's-own-code tests build their variants from."""

BASE = '''
import math


class Scalar:
    def __init__(self, val, _children=(), _op=''):
        self.val, self.g, self._children, self._op = val, 0.0, tuple(_children), _op
        self._back = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.val + other.val, (self, other), '+')
        def _back():
            self.g += out.g
            other.g += out.g
        out._back = _back
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.val * other.val, (self, other), '*')
        def _back():
            self.g += other.val * out.g
            other.g += self.val * out.g
        out._back = _back
        return out
{methods}
    def backward(self):
        topo, seen = [], set()
        def build(v):
            if v not in seen:
                seen.add(v)
                for c in v._children:
                    build(c)
                topo.append(v)
        build(self)
        self.g = 1.0
        for v in reversed(topo):
            v._back()
'''

METHODS = {
    "pow": '''
    def __pow__(self, n):
        out = Scalar(self.val ** n, (self,), f'**{n}')
        def _back():
            self.g += n * self.val ** (n - 1) * out.g
        out._back = _back
        return out
''',
    "tanh": '''
    def tanh(self):
        t = math.tanh(self.val)
        out = Scalar(t, (self,), 'tanh')
        def _back():
            self.g += (1 - t ** 2) * out.g
        out._back = _back
        return out
''',
    "exp": '''
    def exp(self):
        out = Scalar(math.exp(self.val), (self,), 'exp')
        def _back():
            self.g += out.val * out.g
        out._back = _back
        return out
''',
    "relu": '''
    def relu(self):
        out = Scalar(max(self.val, 0.0), (self,), 'ReLU')
        def _back():
            self.g += (out.val > 0) * out.g
        out._back = _back
        return out
''',
    "sub": '''
    def __sub__(self, other):
        out = Scalar(self.val - other.val, (self, other), 'sub')
        def _back():
            self.g += out.g
            other.g -= out.g
        out._back = _back
        return out
''',
    "truediv": '''
    def __truediv__(self, other):
        out = Scalar(self.val / other.val, (self, other), 'div')
        def _back():
            self.g += out.g / other.val
            other.g += -self.val / other.val ** 2 * out.g
        out._back = _back
        return out
''',
}


def scalar(*methods, children="tuple"):
    """The class's source with `methods` (names in METHODS) besides + and ×; its inputs kept in a `tuple`
    or a `set` (micrograd's choice)."""
    return BASE.replace("{methods}", "".join(METHODS[m] for m in methods)).replace(
        "tuple(_children)", f"{children}(_children)")
