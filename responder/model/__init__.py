"""The triage model: architecture, arithmetic (precision), training, distillation, optimisation,
evaluation, conversion of the base encoder and building the default model."""
