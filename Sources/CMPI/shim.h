#ifndef KDMC_CMPI_SHIM_H
#define KDMC_CMPI_SHIM_H
/*
 * Open MPI's predefined handles are macros over addresses of globals
 * (OMPI_PREDEFINED_GLOBAL), which Swift cannot import. These accessors give
 * Swift the same handles as plain functions. Integer constants that are
 * simple #defines (MPI_SUCCESS, MPI_ERR_ROOT, ...) import directly, but the
 * ones used by the wrapper are mirrored here too so that the wrapper does not
 * depend on how a given MPI spells them.
 */
#include <mpi.h>

/* Communicators. */
static inline MPI_Comm kdmc_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm kdmc_comm_self(void) { return MPI_COMM_SELF; }
static inline MPI_Comm kdmc_comm_null(void) { return MPI_COMM_NULL; }

/* Datatypes. */
static inline MPI_Datatype kdmc_type_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype kdmc_type_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype kdmc_type_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype kdmc_type_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype kdmc_type_int(void) { return MPI_INT; }
static inline MPI_Datatype kdmc_type_byte(void) { return MPI_BYTE; }

/* Reduction operations. */
static inline MPI_Op kdmc_op_sum(void) { return MPI_SUM; }
static inline MPI_Op kdmc_op_min(void) { return MPI_MIN; }
static inline MPI_Op kdmc_op_max(void) { return MPI_MAX; }

/* Error handlers. */
static inline MPI_Errhandler kdmc_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Errhandler kdmc_errors_are_fatal(void) { return MPI_ERRORS_ARE_FATAL; }

/* Thread levels. */
static inline int kdmc_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int kdmc_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int kdmc_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int kdmc_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }

/* Integer constants. */
static inline int kdmc_success(void) { return MPI_SUCCESS; }
static inline int kdmc_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int kdmc_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int kdmc_undefined(void) { return MPI_UNDEFINED; }
static inline int kdmc_any_source(void) { return MPI_ANY_SOURCE; }
static inline int kdmc_any_tag(void) { return MPI_ANY_TAG; }

/* Error classes the wrapper names. */
static inline int kdmc_err_buffer(void) { return MPI_ERR_BUFFER; }
static inline int kdmc_err_count(void) { return MPI_ERR_COUNT; }
static inline int kdmc_err_type(void) { return MPI_ERR_TYPE; }
static inline int kdmc_err_tag(void) { return MPI_ERR_TAG; }
static inline int kdmc_err_comm(void) { return MPI_ERR_COMM; }
static inline int kdmc_err_rank(void) { return MPI_ERR_RANK; }
static inline int kdmc_err_root(void) { return MPI_ERR_ROOT; }
static inline int kdmc_err_op(void) { return MPI_ERR_OP; }
static inline int kdmc_err_arg(void) { return MPI_ERR_ARG; }
static inline int kdmc_err_truncate(void) { return MPI_ERR_TRUNCATE; }
static inline int kdmc_err_other(void) { return MPI_ERR_OTHER; }
static inline int kdmc_err_intern(void) { return MPI_ERR_INTERN; }

/* For receives whose status the caller does not need. */
static inline MPI_Status *kdmc_status_ignore(void) { return MPI_STATUS_IGNORE; }

#endif
