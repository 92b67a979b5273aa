"""The general formulas: the seeds' results (a) and (b), for any layer of a given network.

The first seed derives, for a 2-2-2 sigmoid network,
  (a) output layer: dE/dw_j = -(target_o - out_o) * out_o (1 - out_o) * out_h
  (b) hidden layer: dE/dw_k = -sum_i[(target_oi - out_oi) out_oi (1 - out_oi) w_j] * out_h (1 - out_h) * i_k
In delta notation, for the weight w^(l)_ij from unit i of layer l-1 to neuron j of layer l:
  dE/dw^(l)_ij = delta^(l)_j * out^(l-1)_i     (out^(0)_i: the input i_i)
  delta^(L)_j  = dE/dout^(L)_j * f'(net^(L)_j)                       (a)
  delta^(l)_j  = (sum_k delta^(l+1)_k * w^(l+1)_jk) * f'(net^(l)_j)  (b)
`weight_gradient(net, layer, i, j)` writes this chain for one weight of a network, with its own
activations and loss, in LaTeX; `Formula.sympy` builds the same expression from the same
templates in SymPy, which the tests compare with SymPy differentiating the whole network.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .explain import dense_index, network_argument, position
from .notation import ACTIVATIONS, LOSSES, Builder, coef
from .numbers import fmt, tex_numbers

if TYPE_CHECKING:
    from ..nn.network import Network

# the output delta where a loss declares the output activation's fused form (out - t)
FUSED = {("sigmoid", "binary_crossentropy"): (r"{c1}({out} - t_{{j}})",
                                               lambda out, t, K, sp: (out - t) / K),
         ("softmax", "categorical_crossentropy"): (r"({out} - t_{{j}})", lambda out, t, K, sp: out - t)}


def _activation(name: str) -> tuple[str, Builder]:
    """f'(net) of an elementwise activation: the LaTeX template and the SymPy builder."""
    entry = ACTIVATIONS.get(name)
    if entry is None or entry.latex is None or entry.sympy is None:
        raise KeyError(name)
    return entry.latex, entry.sympy


def _bare(tex: str) -> str:
    """`tex` without a pair of parentheses around the whole of it, which no coefficient needs: mse's
    (out - t) for 2 outputs is out - t."""
    depth = 0
    for k, ch in enumerate(tex):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k < len(tex) - 1:
            return tex                     # the first parenthesis closes before the end (or there is none)
    return tex[1:-1] if tex.startswith("(") and tex.endswith(")") else tex


def _sym(name: str, l: int, j) -> str:
    return f"{name}^{{({l})}}_{{{j}}}"


@dataclass
class Formula:
    """dE/dw^(layer)_ij of one network, for one sample, as the seeds' chain of deltas."""

    activations: list[str]
    loss: str
    layer: int            # 1-based, as in the formulas
    i: int | None
    j: int | None
    n_outputs: int
    slopes: list[float] | None = None     # each layer's leaky_relu slope (alpha); None: 0.01

    def _delta_latex(self, l: int, j: str) -> str:
        act = self.activations[l - 1]
        L = len(self.activations)
        out, net = _sym("out", l, j), _sym("net", l, j)
        if l == L:
            K = {"c1": coef(1, self.n_outputs), "c2": coef(2, self.n_outputs)}
            if (act, self.loss) in FUSED:
                return _bare(FUSED[(act, self.loss)][0].format(out=out, **K).replace("t_{j}", f"t_{{{j}}}"))
            dE = LOSSES[self.loss].latex.format(out=out, **K).replace("t_{j}", f"t_{{{j}}}")
        else:
            dE = rf"\sum_{{k}} \delta^{{({l + 1})}}_{{k}}\, w^{{({l + 1})}}_{{{j}k}}"
            dE = f"\\left({dE}\\right)"
        alpha = self.slopes[l - 1] if self.slopes else 0.01
        derivative = _activation(act)[0].format(out=out, net=net, alpha=tex_numbers(fmt(alpha)))
        return _bare(dE) if derivative == "1" else f"{dE} \\cdot {derivative}"       # linear's f' = 1: no factor

    def latex(self) -> list[str]:
        """The lines of the derivation, from the weight down to the output layer."""
        l = self.layer
        i = "i" if self.i is None else self.i + 1     # None: the general index
        j = "j" if self.j is None else self.j + 1
        prev = f"i_{{{i}}}" if l == 1 else _sym("out", l - 1, i)     # the unit the weight reads: an input i1, i2..
        lines = [rf"\frac{{\partial E}}{{\partial w^{{({l})}}_{{{i}{j}}}}} = \delta^{{({l})}}_{{{j}}} \cdot {prev}"]
        for m in range(l, len(self.activations) + 1):
            idx = str(j) if m == l else "j"
            lines.append(rf"\delta^{{({m})}}_{{{idx}}} = {self._delta_latex(m, idx)}")
        return lines

    def markdown(self) -> str:
        return "\n\n".join(f"$${line}$$" for line in self.latex()) + "\n"

    def sympy(self, sp: Any, outs: Any, nets: Any, weights: Any, inputs: Any, targets: Any) -> Any:
        """The same formula built in SymPy from the network's symbolic outputs.

        outs[l][j], nets[l][j]: expressions of layer l (1-based); weights[l][i][j]: symbols;
        inputs: the inputs i (out^(0)); targets: t_j."""
        K = self.n_outputs
        L = len(self.activations)
        deltas = {}
        for m in range(L, self.layer - 1, -1):
            act = self.activations[m - 1]
            for q in range(len(outs[m])):
                o, z = outs[m][q], nets[m][q]
                if m == L and (act, self.loss) in FUSED:
                    deltas[m, q] = FUSED[(act, self.loss)][1](o, targets[q], K, sp)
                    continue
                if m == L:
                    dE = LOSSES[self.loss].sympy(o, targets[q], K, sp)
                else:
                    dE = sum(deltas[m + 1, k] * weights[m + 1][q][k] for k in range(len(outs[m + 1])))
                deltas[m, q] = dE * _activation(act)[1](o, z, sp, self.slopes[m - 1] if self.slopes else 0.01)
        if self.i is None or self.j is None:
            raise ValidationError("sympy() needs a concrete weight (i and j), not the general formula")
        a_prev = inputs if self.layer == 1 else outs[self.layer - 1]
        return deltas[self.layer, self.j] * a_prev[self.i]


def weight_gradient(net: Network, layer: int, i: int, j: int) -> Formula:
    """The formula of dE/dW[i, j] of Dense layer `layer` (0-based, as net.dense_layers; -1 the last)."""
    network_argument(net, "weight_gradient", "weight_gradient({net}, layer, i, j)")
    dense = net.dense_layers
    d = dense[layer := dense_index(net, layer)]
    i = position(i, d.n_in, "i", f"a row of W (shape {d.W.shape}): one of layer {layer}'s inputs")
    j = position(j, d.n_out, "j", f"a column of W (shape {d.W.shape}): one of layer {layer}'s neurons")
    acts = [x.activation.name for x in dense]
    loss = net.loss_function.name
    for m, a in enumerate(acts):
        if a == "softmax" and not (m == len(acts) - 1 and loss == "categorical_crossentropy"):
            raise ValidationError("formulas are written for elementwise activations; softmax only as the output "
                                  "of categorical_crossentropy (the fused delta out - t)")
    slopes = [float(x.activation.config().get("alpha", 0.01)) for x in dense]
    return Formula(acts, loss, layer + 1, int(i), int(j), dense[-1].n_out, slopes)


def general(net: Network) -> str:
    """Markdown: the seeds' results (a) and (b) written for every layer of `net`."""
    network_argument(net, "general", "general({net})")
    dense = net.dense_layers
    parts = [f"# The gradient of every weight of this network ({net.loss_function.name} loss)", "",
             "For the weight $w^{(l)}_{ij}$ from unit $i$ of layer $l-1$ to neuron $j$ of layer $l$, "
             "per sample (the batch gradient is the mean over samples). A weight reads the output "
             "$out^{(l-1)}_{i}$ of the unit it comes from; in layer 1, the input $i_{i}$ (the seed's "
             "$i_1$, $i_2$). $t_{j}$ is the target of output $j$.", ""]
    for layer in range(len(dense) - 1, -1, -1):
        kind = "output layer, the seed's result (a)" if layer == len(dense) - 1 else \
            "hidden layer, the seed's result (b): the sum runs over the neurons k of the layer above"
        f = weight_gradient(net, layer, 0, 0)
        f.i = f.j = None
        parts += [f"## Layer {layer + 1}: {kind}", "", f.markdown()]
    return "\n".join(parts + matrix_form(net))


def matrix_form(net: Network) -> list[str]:
    """Markdown lines: the same chain for all N samples of a batch at once, as the engine computes it (rows are
    samples; W^(l) is n_in x n_out, so Z = A W), with each array's shape for this network."""
    dense = net.dense_layers
    L = len(dense)
    sizes = [dense[0].n_in] + [d.n_out for d in dense]
    shapes = "; ".join([f"$X = A^{{(0)}}$: N x {sizes[0]}"] +
                       [f"$W^{{({l})}}$: {sizes[l - 1]} x {sizes[l]}, $b^{{({l})}}$: 1 x {sizes[l]}, "
                        f"$Z^{{({l})}}$, $A^{{({l})}}$, $\\Delta^{{({l})}}$: N x {sizes[l]}" for l in range(1, L + 1)])
    acts = ", ".join(f"$f_{{{l}}}$ is {d.activation.name}" for l, d in enumerate(dense, 1))
    forward = [rf"Z^{{({l})}} = A^{{({l - 1})}} W^{{({l})}} + \mathbf{{1}}\, b^{{({l})}}, \quad "
               rf"A^{{({l})}} = f_{{{l}}}(Z^{{({l})}})" for l in range(1, L + 1)]
    hidden = [rf"\Delta^{{({l})}} = \left(\Delta^{{({l + 1})}} (W^{{({l + 1})}})^{{T}}\right) \odot "
              rf"f_{{{l}}}'(Z^{{({l})}})" for l in range(L - 1, 0, -1)]
    gradients = [rf"\frac{{\partial E}}{{\partial W^{{({l})}}}} = \frac{{1}}{{N}} (A^{{({l - 1})}})^{{T}} "
                 rf"\Delta^{{({l})}}, \quad \frac{{\partial E}}{{\partial b^{{({l})}}}} = \frac{{1}}{{N}} "
                 rf"\mathbf{{1}}^{{T}} \Delta^{{({l})}}" for l in range(L, 0, -1)]
    update = r"W^{(l)} \leftarrow W^{(l)} - \eta\, \frac{\partial E}{\partial W^{(l)}}"
    dropped = [] if len(net.layers) == L else [
        "This network's Dropout layers are left out here, as in the formulas above: in training each multiplies the "
        "A it follows, entry by entry, by its random mask of 0s and 1/(1 - rate); in predict it passes A as it is.", ""]

    def display(lines: list[str]) -> str:
        return "\n\n".join(f"$${line}$$" for line in lines)
    return ["", "## In matrix form: all N samples of a batch at once", "",
            f"Each row of a matrix is one sample, as in the engine's arrays. Shapes for this network: {shapes}.", "",
            f"Forward, layer by layer ($\\mathbf{{1}}$ is a column of N ones; {acts}):", "", display(forward), "",
            f"Row n of $\\Delta^{{({L})}}$ holds sample n's $\\delta^{{({L})}}_{{j}}$ of result (a) above, one column "
            "per output neuron; "
            + ("each hidden layer's rows hold result (b), all at once ($\\odot$ multiplies entry by entry):"
               if hidden else "with no hidden layer, result (b) is not needed."), "",
            *([display(hidden), ""] if hidden else []),
            "Every weight's and bias's gradient, the mean over the N samples:", "", display(gradients), "",
            "and gradient descent's update (the seed's, learning rate $\\eta$; the other optimizers take the same "
            "gradients):", "", f"$${update}$$", "", *dropped]
