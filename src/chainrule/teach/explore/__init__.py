"""`chainrule explore`: backpropagation in the browser, every number computed by the engine.

`session.Session` holds one page's network and data (pure Python over the public API);
`server` serves the page and its JSON API (Starlette, the optional extra
`explore`: `pip install '.[explore]'` in the checkout);
`widget` puts the same page in a Jupyter notebook.
"""
