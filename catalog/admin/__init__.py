"""The staff side of the catalogue: the OCOP classification, producers' products, the certification workflow.

Django's admin autodiscovery imports this package; importing the modules registers their model admins.
"""

from catalog.admin import certification, classification, products

__all__ = ["certification", "classification", "products"]
