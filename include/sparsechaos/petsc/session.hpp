#pragma once
// PETSc and SLEPc for the lifetime of one object, inside a program that has already initialized
// MPI (the engine needs MPI whether or not a tangent space is used). PETSc then leaves MPI alone:
// SlepcFinalize does not call MPI_Finalize, so destroy the session before MPI is finalized.
//
// While a session is alive, PETSc errors are not printed as tracebacks on stderr; their message
// is kept and becomes the text of the petsc::error that SC_PETSC_CHECK throws.

namespace sparsechaos::petsc {

class session {
public:
    // Options come from PETSC_OPTIONS and .petscrc only: the program's own command line is not
    // PETSc's to parse.
    session();
    // Also parses PETSc options (-log_view, ...) from argc/argv; for test and tool mains.
    session(int& argc, char**& argv);
    ~session();

    session(const session&) = delete;
    session& operator=(const session&) = delete;

private:
    void start(int* argc, char*** argv);
    bool owns_ = false;  // false when SLEPc was already initialized by someone else
};

}  // namespace sparsechaos::petsc
