// Distillation layer (see DESIGN.md).
