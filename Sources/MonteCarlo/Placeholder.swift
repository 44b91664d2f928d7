// MonteCarlo layer (see DESIGN.md).
