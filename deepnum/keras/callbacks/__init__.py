"""Callbacks: objects whose hooks ``fit`` calls (``on_epoch_end``, ``on_train_batch_end``...).

>>> from deepnum.keras import callbacks
>>> stop = callbacks.EarlyStopping(patience=2, restore_best_weights=True)
"""

from .base import Callback, CallbackList, History, LambdaCallback, TerminateOnNaN
from .checkpoint import BackupAndRestore, ModelCheckpoint
from .monitoring import CSVLogger, EarlyStopping, LearningRateScheduler, ReduceLROnPlateau
from .progbar import Progbar, ProgbarLogger

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "Progbar",
           "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN"]
