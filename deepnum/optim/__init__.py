"""The PyTorch-style optimizers: ``deepnum.optim.SGD(model.parameters(), lr=0.01)``.

Defaults and semantics follow ``torch.optim`` (PyTorch 2.13).  The update arithmetic is in
:mod:`deepnum.optim.rules`, shared with the Keras-style door
(``deepnum.keras.optimizers``), which configures the same rules with Keras's conventions.

>>> import deepnum as dn
>>> w = dn.nn.Parameter(dn.tensor([3.0]))
>>> opt = dn.optim.SGD([w], lr=0.25)
>>> for _ in range(3):              # minimise w² / 2, whose gradient is w
...     opt.zero_grad()
...     w.grad = w.data.copy()
...     opt.step()
>>> w.item()                        # 3 · 0.75³
1.265625
"""

from . import lr_scheduler, rules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "lr_scheduler", "rules"]
