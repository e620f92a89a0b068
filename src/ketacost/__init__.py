"""ketacost: what ketamine treatment for depression will cost a patient in the US."""

__version__ = "0.1.0"
