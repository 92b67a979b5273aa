"""to_onnx of a fitted BackpropClassifier: its network with outputs "label" and "probabilities" equal to its
predict and predict_proba under onnxruntime, and its classes_ in the metadata (chainrule.classes, in the order of the
columns), as `chainrule export` gives a CSV model's; a bare network_ has no classes, and to_onnx(estimator) was
refused. from_onnx reads the network back."""
import json

import numpy as np
import pytest

import chainrule as cr

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
cs = pytest.importorskip("chainrule.sklearn")


def _data(kind):
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = {"text": np.array(["b", "a", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)],
         "binary ints": np.where(X[:, 0] > 0, 5, 2), "bools": X[:, 0] > 0}[kind]
    return X, y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
@pytest.mark.parametrize("kind", ["text", "binary ints", "bools"])
def test_a_classifier_exports_its_predict_predict_proba_and_classes(kind):
    X, y = _data(kind)
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    model = cr.to_onnx(clf)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": X})))
    np.testing.assert_allclose(got["probabilities"], clf.predict_proba(X), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(got["label"], clf.predict(X))
    classes = json.loads(session.get_modelmeta().custom_metadata_map["chainrule.classes"])
    assert classes == clf.classes_.tolist()
    np.testing.assert_allclose(cr.from_onnx(model).predict(X), clf.network_.predict(X), rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
def test_an_unfitted_classifier_is_refused_saying_to_fit_it_and_export_it_whole():
    """The error sent a classifier not yet fitted to to_onnx(model.network_), which loses the classes_ that
    to_onnx(model) keeps once it is fitted: what the message says then works."""
    X, y = _data("text")
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"not yet fitted: fit it first; to_onnx\(model, path\)"):
        cr.to_onnx(clf)
    session = ort.InferenceSession(cr.to_onnx(clf.fit(X, y)).SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(["label"], {"input": X})[0], clf.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # one epoch
def test_many_classes_in_the_doc_string_are_cut_where_it_says_so():
    """The graph's doc_string names the classes_ up to a length; cut, it says so and where they all are (it
    stopped inside the JSON, mid-name, as if that were all)."""
    X = np.random.default_rng(0).normal(size=(120, 3))
    y = np.array([f"class number {i}" for i in range(40)])[np.arange(120) % 40]
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    model = cr.to_onnx(clf)
    assert model.doc_string.endswith("... (40 classes: chainrule.classes in the metadata)")
    metadata = {p.key: p.value for p in model.metadata_props}
    assert json.loads(metadata["chainrule.classes"]) == clf.classes_.tolist()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
def test_a_pipeline_ending_in_a_fitted_classifier_names_the_classifier_to_export():
    """A Pipeline is refused (its scaler is not in the graph), naming its last step to export, which keeps the
    classes_; it named pipe[-1].network_, which has none."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    X, y = _data("text")
    pipe = make_pipeline(StandardScaler(), cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0))
    pipe.fit(X, y)
    with pytest.raises(cr.errors.ChainruleTypeError,
                       match=r"last step, BackpropClassifier, is a fitted chainrule classifier: to_onnx\(pipe\[-1\], "
                             r"path\) exports it whole.*other steps \(its preprocessing\) are not in"):
        cr.to_onnx(pipe)
    session = ort.InferenceSession(cr.to_onnx(pipe[-1]).SerializeToString(), providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(["label"], {"input": pipe[0].transform(X)})[0], pipe.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
@pytest.mark.parametrize("checks", [True, False])
def test_a_classifier_of_one_class_exports_whole(checks):
    """A classifier fitted on one class (as MLPClassifier fits it) predicts that class with probability 1.0; its
    network_ gives a sigmoid output that is no probability of anything. to_onnx(model) was refused, sending it to
    to_onnx(model.network_) as 'predict_proba's probabilities ... that of classes_[1]' (it has no classes_[1])."""
    X = np.random.default_rng(0).normal(size=(20, 3))
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, np.full(20, "only"))
    session = ort.InferenceSession(cr.to_onnx(clf, checks=checks).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    for rows in (X[:1], X[:7]):
        label, probabilities = session.run(["label", "probabilities"], {"input": rows})
        np.testing.assert_array_equal(label, clf.predict(rows))
        np.testing.assert_array_equal(probabilities, clf.predict_proba(rows))
    label, probabilities = session.run(["label", "probabilities"], {"input": X[:0]})
    assert label.shape == (0,) and probabilities.shape == (0, 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
def test_the_network_of_a_one_class_classifier_is_not_said_to_give_predict_proba():
    """Where a one-class classifier's network is asked for (cr.save, to_torch), its output is named as what it is."""
    X = np.random.default_rng(0).normal(size=(20, 3))
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, np.full(20, 7))
    assert not np.array_equal(clf.network_.predict(X), clf.predict_proba(X))      # what the words must not promise
    with pytest.raises(cr.errors.ChainruleTypeError) as info:
        cr.to_torch(clf)
    assert "classes_[1]" not in str(info.value) and "predict_proba gives 1.0" in str(info.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # twenty epochs
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_multi_label_classifier_exports_whole(dtype):
    """A multi-label classifier was refused whole (only its network_ went): its graph gives its predict (the 0/1
    matrix, int64) and predict_proba under onnxruntime, and its labels' indices as classes in the metadata."""
    X = np.random.default_rng(0).normal(size=(50, 3))
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 2] > 0].astype(int)
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=20, random_state=0, dtype=dtype).fit(X, Y)
    session = ort.InferenceSession(cr.to_onnx(clf).SerializeToString(), providers=["CPUExecutionProvider"])
    got = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"input": X.astype(dtype)})))
    np.testing.assert_allclose(got["probabilities"], clf.predict_proba(X), rtol=1e-6 if dtype == "float32" else 1e-12)
    assert got["label"].dtype == clf.predict(X).dtype
    np.testing.assert_array_equal(got["label"], clf.predict(X))
    assert json.loads(session.get_modelmeta().custom_metadata_map["chainrule.classes"]) == [0, 1, 2]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # one epoch
@pytest.mark.parametrize("call", ["from_onnx", "load", "load_foreign", "to_onnx's path", "from_torch", "from_keras"])
def test_an_estimator_where_a_file_or_model_goes_is_named_with_what_goes_there(call):
    """from_onnx(estimator) and its neighbours answered with the generic words for a path (or a type's name): they
    say it is a model, not a file, and where its network is."""
    X, y = _data("text")
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    run = {"from_onnx": lambda: cr.from_onnx(clf), "load": lambda: cr.load(clf),
           "load_foreign": lambda: cr.load_foreign(clf), "to_onnx's path": lambda: cr.to_onnx(clf, clf),
           "from_torch": lambda: cr.from_torch(clf), "from_keras": lambda: cr.from_keras(clf)}[call]
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"got .*BackpropClassifier.*network_") as info:
        run()
    assert ("not a model to import" if call.startswith("from_") and call != "from_onnx" else "not a file") \
        in str(info.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # one epoch
@pytest.mark.parametrize("call", ["from_torch", "from_keras", "from_sklearn"])
def test_the_network_an_import_names_for_an_estimator_is_said_to_need_no_import(call):
    """from_torch(estimator) says to give model.network_; given it, the import answered only "got Network", as if
    the advice were wrong: a chainrule Network needs no import."""
    X, y = _data("text")
    clf = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, y)
    importer = getattr(cr, call)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"model\.network_"):
        importer(clf)
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"got Network, a chainrule Network already: nothing to "
                                                           r"import, use it as it is"):
        importer(clf.network_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("targets", [1, 2])
def test_a_regressor_exports_whole_its_output_its_predict(dtype, targets):
    """to_onnx(BackpropRegressor) was refused for to_onnx(model.network_), whose output is (N, 1) where predict
    gives (N,): the graph's "variable" (skl2onnx's name for a regressor's output) is predict's, of its shape, under
    onnxruntime; several targets too. from_onnx reads the network back."""
    X = np.random.default_rng(0).normal(size=(30, 3))
    y = X[:, 0] * 3 + 1 if targets == 1 else np.c_[X[:, 0], X[:, 1] * 2]
    reg = cs.BackpropRegressor(hidden_layer_sizes=(4,), epochs=3, random_state=0, dtype=dtype).fit(X, y)
    model = cr.to_onnx(reg)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(["variable"], {"input": X.astype(dtype)})[0]
    assert got.shape == reg.predict(X).shape and got.dtype == reg.predict(X).dtype
    np.testing.assert_allclose(got, reg.predict(X), rtol=1e-6 if dtype == "float32" else 1e-12)
    assert session.get_modelmeta().custom_metadata_map["chainrule.task"] == "regression"
    np.testing.assert_array_equal(cr.from_onnx(model).predict(X), reg.network_.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")     # three epochs
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_info_of_an_estimators_graph_names_its_outputs(tmp_path, kind):
    """`chainrule info` of to_onnx(estimator) showed the network and nothing of the outputs past it ('label',
    'probabilities'; a regressor's 'variable') that a deployer reads."""
    from conftest import cmd
    X, y = _data("text")
    model = cs.BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y) \
        if kind == "classifier" else cs.BackpropRegressor(hidden_layer_sizes=(4,), epochs=3).fit(X, X[:, 0])
    cr.to_onnx(model, tmp_path / "m.onnx")
    said = cmd("info", tmp_path / "m.onnx").stdout
    names = ["'label'", "'probabilities'", "['a', 'b', 'c']"] if kind == "classifier" else ["'variable'"]
    assert all(name in said for name in names), said
