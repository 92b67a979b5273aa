"""LambdaCallback takes Keras' test and predict hooks (on_test_begin, on_test_batch_end, on_predict_end, ...) as Keras'
LambdaCallback does, and evaluate, predict and fit's validation call them as Keras calls its own: checked against
Keras' recorded calls of the same twin network. A misspelt hook is refused, naming the nearest."""
import pytest
from keras_twins import digits, keras, twins
from test_keras_stage_callbacks import HOOKS, same_calls

import chainrule as cr


def lambda_recorder(module, calls):
    """module.LambdaCallback whose every test and predict hook records its name, batch index and logs."""
    def hook(name):
        if "batch" in name:
            return lambda batch, logs=None: calls.append((name, batch, dict(logs or {})))
        return lambda logs=None: calls.append((name, None, dict(logs or {})))
    return module.LambdaCallback(**{name: hook(name) for name in HOOKS})


@pytest.mark.parametrize("batch_size", [16, None])
def test_lambda_test_and_predict_hooks_called_as_keras(batch_size):
    X, y = digits(70)
    net, model = twins()
    ours, theirs = [], []
    net.evaluate(X, y, batch_size=batch_size, callbacks=[lambda_recorder(cr.callbacks, ours)], metrics=["accuracy"])
    model.evaluate(X, y, batch_size=batch_size, callbacks=[lambda_recorder(keras.callbacks, theirs)], verbose=0)
    net.predict(X, batch_size=batch_size, callbacks=[lambda_recorder(cr.callbacks, ours)])
    model.predict(X, batch_size=batch_size, callbacks=[lambda_recorder(keras.callbacks, theirs)], verbose=0)
    assert [n for n, _, _ in theirs].count("on_predict_batch_end") == -(-70 // (batch_size or 32))
    same_calls(ours, theirs)


def test_lambda_test_hooks_in_fit_validation_as_keras():
    X, y = digits(120)
    net, model = twins()
    ours, theirs = [], []
    kw = dict(batch_size=32, epochs=2, shuffle=False, verbose=0, validation_data=(X[80:], y[80:]))
    net.fit(X[:80], y[:80], callbacks=[lambda_recorder(cr.callbacks, ours)], metrics=["accuracy"], **kw)
    model.fit(X[:80], y[:80], callbacks=[lambda_recorder(keras.callbacks, theirs)], **kw)
    assert [n for n, _, _ in theirs].count("on_test_end") == 2
    same_calls(ours, theirs)


def test_lambda_misspelt_hook_refused_with_the_nearest():
    with pytest.raises(cr.errors.ValidationError, match=r"on_epoc_end .*did you mean on_epoch_end\?"):
        cr.callbacks.LambdaCallback(on_epoc_end=print)
    with pytest.raises(cr.errors.ValidationError, match=r"on_test_batch_ends .*did you mean on_test_batch_end\?"):
        cr.callbacks.LambdaCallback(on_test_batch_ends=print)
    with pytest.raises(cr.errors.ChainruleTypeError, match="on_predict_end must be a function; got 3"):
        cr.callbacks.LambdaCallback(on_predict_end=3)
