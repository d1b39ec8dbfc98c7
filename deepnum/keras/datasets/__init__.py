"""The data sets of ``deepnum.datasets`` under Keras's name: ``from deepnum.keras.datasets
import mnist; (x_train, y_train), (x_test, y_test) = mnist.load_data()``."""

from ...datasets import digits, fashion_mnist, mnist

__all__ = ["digits", "fashion_mnist", "mnist"]
