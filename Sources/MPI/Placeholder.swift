// MPI layer (see DESIGN.md).
