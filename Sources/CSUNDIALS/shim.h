#ifndef KDMC_CSUNDIALS_SHIM_H
#define KDMC_CSUNDIALS_SHIM_H
/*
 * SUNDIALS' CVODE (BDF) with the serial vector, the dense matrix and the dense direct linear
 * solver, and the matrix-free GMRES solver SPGMR (Debian libsundials-dev 6.x). Only functions
 * are used from Swift: the NV_DATA_S and SM_ELEMENT_D accessors are macros, so
 * N_VGetArrayPointer and SUNDenseMatrix_Data stand in.
 */
#include <cvode/cvode.h>
#include <cvode/cvode_ls.h>
#include <nvector/nvector_serial.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sundials/sundials_context.h>

#endif
