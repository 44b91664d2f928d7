// Report layer (see DESIGN.md).
