"""What the explorer accepts from a page: sizes it can draw and train at once, values it can show.

Everything a request sends is checked here before the engine sees it, so a page (or anything
else holding the token) cannot make the server allocate a 10^9-unit layer or hang in a loop.
"""
from __future__ import annotations

import inspect
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chainrule.errors import ValidationError

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 16          # neurons per layer, outputs and classes
MAX_INPUTS = 32         # inputs of the network (a CSV file's encoded columns)
MAX_ROWS = 5000         # rows of an uploaded CSV file
# updates of one Train run: a request trains for at most session.TRAIN_SECONDS and the page asks again
# for the rest, so the server stays responsive however many; the cap only catches a mistyped count
MAX_STEPS = 1_000_000
MAX_TYPED = 100         # longest text of a typed number quoted back
MAX_VALUE = 1e6         # largest weight, input or target typed in
MAX_UPLOAD = 2 * 2**20  # bytes of an uploaded CSV file
MAX_BODY = 256 * 2**10  # bytes of any other request
MAX_SEED = 2**31 - 1    # largest seed (the Network card's Init seed, the Data card's Seed)
MAX_SHARE = 32_000      # characters of a share code (400 parameters with Adam's two moments: about 17,000)
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSSES = ("sse", "mse", "binary_crossentropy", "categorical_crossentropy")
INITS = ("auto", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
         "torch_default", "normal", "truncated_normal", "uniform", "zeros", "ones")


def integer(value: Any, name: str, low: int, high: int) -> int:
    """`value` checked; its bounds written in threes (2,147,483,647), as the page's counts are."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{name} must be an integer from {low:,} to {high:,}; got {value!r}")
    return value


def received(value: Any) -> str:
    """A field's value of the wrong type as its refusal names it: "int 5", "list []", "None". A number past a
    float's range is a float of the server's own class (it quotes itself as sent), named float, not by that class."""
    if value is None:
        return "None"
    kind = "float" if isinstance(value, float) else type(value).__name__
    return f"{kind} {str(value)[:40]}"


def held(value: Any) -> str:
    """What a share code held where a refusal expected something else, said short: "none", "a list of 3 values",
    "a dict of ['lr']", "a text of 2,000 characters", "'adam'", "int 5"."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return f"a list of {len(value)} value{'s' * (len(value) != 1)}"
    if isinstance(value, dict):
        return f"a dict of {keys(sorted(map(str, value)))}"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"a text of {len(value):,} characters"
    return received(value)


def keys(names: list[str], room: int = 160) -> str:
    """A dict's keys as a list's repr, "['a', 'b', ... (58 more)]": whole keys (each cut at 40 characters) while they
    fit in `room` characters, then how many are left out (a cut at 200 characters ended mid-key, mid-list)."""
    said = [repr(n if len(n) <= 40 else n[:39] + "…") for n in names]
    shown: list[str] = []
    while len(shown) < len(said) and len(", ".join([*shown, said[len(shown)]])) <= room:
        shown.append(said[len(shown)])
    more = [f"... ({len(said) - len(shown)} more)"] if len(shown) < len(said) else []
    return "[" + ", ".join(shown + more) + "]"


def typed_texts(typed: Any, body: dict) -> dict[str, str]:
    """A request's `typed`: for a number field of the page, the text typed in it ({"lr": "-0"}), which JavaScript's
    number no longer tells apart ("-0", "0.00" and "1e-400" all arrive as 0, "2e6" as 2000000)."""
    if typed is None:
        return {}
    if not isinstance(typed, dict) or not all(isinstance(k, str) and k in body and isinstance(v, str)
                                              and len(v) <= MAX_TYPED for k, v in typed.items()):
        raise ValidationError(f"typed must map the request's fields to the text typed in them (at most {MAX_TYPED} "
                              f"characters each); got {str(typed)[:MAX_TYPED]}")
    return typed


def quote_typed(exc: Exception, body: dict, typed: dict[str, str]) -> None:
    """A refusal ending "; got 2000000" (the number as sent, Python's or grouped) made to end as typed: "; got 2e6"."""
    text = str(exc)
    for key, shown in typed.items():
        value = body[key]
        forms = {repr(value)} | ({f"{value:,}"} if isinstance(value, int) and not isinstance(value, bool) else set())
        tail = next((f"; got {f}" for f in forms if text.endswith(f"; got {f}")), None)
        if tail:
            exc.args = (text[:-len(tail)] + f"; got {shown}",)
            return


def fields_of(action: str, fn: Any, body: dict) -> None:
    """The fields of a request checked against the action's parameters: the one missing named, or the unknown one."""
    params = inspect.signature(fn).parameters
    missing = [k for k, p in params.items() if p.default is p.empty and p.kind != p.VAR_KEYWORD and k not in body]
    if missing:
        raise ValidationError(f"{action}: needs the field {missing[0]!r}; got {sorted(body)}")
    if all(p.kind != p.VAR_KEYWORD for p in params.values()):      # set_optimizer's settings: checked there
        unknown_fields(action, body, list(params))


def unknown_fields(what: str, body: dict, allowed: list[str]) -> None:
    """A field an action does not take is refused by name, not dropped; an action of none says it takes none."""
    if not set(body) <= set(allowed):
        among = f": fields must be among {allowed}" if allowed else " takes no fields"
        raise ValidationError(f"{what}{among}; got {sorted(body)}")


def written(bound: float) -> str:
    """A range's end as a person writes it: 1,000,000; past 10^15, a power of ten (10^300)."""
    if bound < 1e15:
        return f"{bound:,.0f}"
    power = math.log10(bound)
    return f"10^{power:.0f}" if power == round(power) else f"{bound:g}"


def roughly(value: float) -> str:
    """A large number as a person reads it, to 3 figures: about -55,300,000; from 10^10 about 2.95 x 10^20;
    infinite, NaN. The drawing's short labels (static/numbers.js `short`) write a number of 10,000 and more by the
    same rule: 3 significant figures of the exact value, a half rounded away from zero (JavaScript's
    toPrecision), so a label and this refusal write the same weight alike."""
    if math.isnan(value):
        return "NaN (not a number)"
    if math.isinf(value):
        return f"{'minus ' if value < 0 else ''}infinite"
    exact = Decimal(value)
    power = exact.adjusted()
    mantissa = exact.scaleb(-power).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if abs(mantissa) >= 10:             # 9.995 -> 10.00: one power of ten more
        mantissa, power = (mantissa / 10).quantize(Decimal("0.01"), ROUND_HALF_UP), power + 1
    if power < 10:                      # below 10^10 once rounded: the reports' e-notation starts there
        return f"about {int(mantissa.scaleb(power)):,}"
    digits = f"{mantissa:f}".rstrip("0").rstrip(".")
    return f"about {digits} x 10^{power}"


def between(bound: float) -> str:
    """'between -1,000,000 and 1,000,000': every range message of the page writes it so."""
    return f"between -{written(bound)} and {written(bound)}"


def number(value: Any, name: str, bound: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > bound:
        raise ValidationError(f"{name} must be a finite number {between(bound)}; got {value!r}")
    return float(value)


# the optimizer settings as the page's fields name them (template.js SETTING_NAMES)
SETTING_FIELDS = {"lr": "η (learning rate)", "momentum": "momentum", "alpha": "α", "eps": "ε", "beta1": "β₁",
                  "beta2": "β₂"}
MAX_SETTING = 1e6


def setting(name: str, value: Any) -> float:
    """An optimizer setting from the page, refused in the words of its field with the range it
    takes (every setting is 0 or more: the engine's "[0.0, inf)" would promise more than 1e6; η = 0, as torch.optim
    takes it, steps without moving a weight). eps
    must be positive here: with eps = 0 (which the engine, like torch.optim, accepts) a weight whose
    gradient is 0 gets 0/0 = NaN."""
    field = SETTING_FIELDS.get(name, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_SETTING:
        low = "above 0" if name == "eps" else "from 0"
        raise ValidationError(f"{field} must be a number {low} up to {MAX_SETTING:,.0f}; got {value!r}")
    given, value = value, float(value)      # the refusals quote what the page sent: "got 0", not "got 0.0"
    if name == "momentum" and not 0 <= value < 1:       # torch takes any momentum >= 0; Keras documents [0, 1)
        raise ValidationError(f"momentum must be in [0.0, 1.0) (each step adds momentum times the last one: from 1 "
                              f"on the steps never die down and training diverges); got {given!r}")
    if name == "lr" and value < 0:       # 0 is taken, as torch.optim takes it: a step then moves no weight
        raise ValidationError(f"{field} must be a number from 0 up to {MAX_SETTING:,.0f} (each step moves the "
                              f"weights by η times their gradient, downhill; 0 holds them); got {given!r}")
    if name == "eps" and value <= 0:
        raise ValidationError(f"{field} must be a positive number (it keeps the division finite where a gradient "
                              f"is 0); got {given!r}")
    return value


def check_architecture(arch: dict, n_in: int, n_out: int) -> None:
    """The architecture description a page sends: sizes the explorer can draw, known names."""
    allowed = {"hidden", "activations", "output_activation", "loss", "init", "seed", "train_biases"}
    unknown = sorted(set(arch) - allowed)
    if unknown:
        raise ValidationError(f"architecture: unknown field {unknown[0]!r}; fields are {sorted(allowed)}")
    integer(n_in, "inputs", 1, MAX_INPUTS)
    integer(n_out, "outputs", 1, MAX_UNITS)
    hidden, acts = arch["hidden"], arch["activations"]
    if not isinstance(hidden, list) or len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValidationError(f"hidden must be a list of at most {MAX_HIDDEN_LAYERS} layer sizes; got {hidden!r}")
    for k, units in enumerate(hidden):
        integer(units, f"hidden layer {k + 1} units", 1, MAX_UNITS)
    if not isinstance(acts, list) or len(acts) != len(hidden):
        raise ValidationError(f"activations must list one activation per hidden layer ({len(hidden)}); got {acts!r}")
    for name, value in [*((f"hidden layer {k + 1} activation", a) for k, a in enumerate(acts)),
                        ("output_activation", arch["output_activation"])]:
        if value not in ACTIVATIONS:
            raise ValidationError(f"{name} must be one of {', '.join(ACTIVATIONS)}; got {value!r}")
    if arch["loss"] not in LOSSES:
        raise ValidationError(f"loss must be one of {', '.join(LOSSES)}; got {arch['loss']!r}")
    if arch["init"] not in INITS + ("seed",):
        raise ValidationError(f"init must be one of {', '.join(INITS)}; got {arch['init']!r}")
    if arch["init"] == "seed" and (n_in, n_out, hidden) != (2, 2, [2]):
        raise ValidationError("init 'seed' (the seed's weights) needs the seed's 2-2-2 shape; choose another init")
    integer(arch["seed"], "Init seed", 0, MAX_SEED)     # named as the Network card's field
    if not isinstance(arch["train_biases"], bool):
        raise ValidationError(f"train_biases must be true or false; got {arch['train_biases']!r}")


NOTEBOOK_HINT = "; build a smaller one to explore it, or explain this one step by step: cr.explain(net, X, Y)"


def check_model(net, name: str, hint: str | None = None) -> None:
    """A saved model the explorer is to open: sizes it can draw, said in terms of the model (`hint`: what to do
    instead; by default the command line's)."""
    dense = net.dense_layers
    what = f"{name or 'the model'}"
    hint = hint or (f"; train a smaller one to explore it (chainrule train ... --hidden 8), or explain this one step "
                    f"by step: chainrule explain --model {name or 'MODEL'} --layer L --neuron J")
    if len(dense) - 1 > MAX_HIDDEN_LAYERS:
        raise ValidationError(f"the explorer draws at most {MAX_HIDDEN_LAYERS} hidden layers; {what} has "
                              f"{len(dense) - 1}{hint}")
    if net.n_inputs > MAX_INPUTS:
        raise ValidationError(f"the explorer draws at most {MAX_INPUTS} inputs; {what} has {net.n_inputs}{hint}")
    if net.loss_function.name not in LOSSES:        # said of the model, not as a choice on the page
        raise ValidationError(f"the explorer knows the losses {', '.join(LOSSES)}; {what} was trained with "
                              f"{net.loss_function.name!r} (cr.explain(net, X, Y) derives its steps with any loss)")
    for k, d in enumerate(dense):
        if d.n_out > MAX_UNITS:
            layer = "output layer" if k == len(dense) - 1 else f"hidden layer {k + 1}"
            raise ValidationError(f"the explorer draws at most {MAX_UNITS} units per layer; {what} has {d.n_out} in "
                                  f"its {layer}{hint}")
        if d.activation.name not in ACTIVATIONS:
            raise ValidationError(f"the explorer knows the activations {', '.join(ACTIVATIONS)}; {what} has "
                                  f"{d.activation.name!r} in layer {k + 1}")
