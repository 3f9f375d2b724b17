"""nnlib: a small NumPy library for the course "Training neural networks in practice".

Infrastructure modules (complete, tested, not exercises):

- ``nnlib.datasets``    toy 2-D data sets and the real handwritten digits, all offline
- ``nnlib.activations`` relu / tanh / sigmoid and their derivatives
- ``nnlib.losses``      softmax cross-entropy and binary cross-entropy with gradients
- ``nnlib.mlp``         a fully connected network: init, forward, backward, predict
- ``nnlib.training``    a training loop that records loss and accuracy history
- ``nnlib.plotting``    decision boundaries, learning curves, training histories
- ``nnlib.widgets``     sliders in a live notebook, static snapshots in the book
- ``nnlib.checking``    the ``Checker`` that the notebooks' check cells use

Exercise modules (one per chapter) hold the functions you implement; each stub
raises ``NotImplementedError`` and names its chapter. Submodules are imported
explicitly (``from nnlib.splitting import split_indices``); nothing is imported here.
"""
