/*
 * npy — NumPy's .npy format (version 1.0) for 2-D little-endian float32
 * arrays, the form in which trainers load embeddings (numpy.load gives an
 * array of shape (rows, cols), dtype float32), and int32 arrays (the
 * export's hard-negative tables, read back by an update that extends them).
 *
 * Writing goes to a temporary name that is renamed at the end, so a failed
 * write leaves no partial file. Reading accepts exactly what the writer
 * produces ('<f4' or '<i4', C order, two dimensions) and rejects anything else with a
 * message.
 *
 * Does not: handle other dtypes, Fortran order, or
 * compressed .npz files.
 */
#ifndef MEDKG_NPY_H
#define MEDKG_NPY_H

#include <stddef.h>
#include <stdint.h>

/* Write rows x cols floats; row i starts at data + i * stride (stride >=
 * cols, in floats). @return 0 or -1 after error() naming path. */
int npy_write(const char *path, const float *data, size_t rows, size_t cols, size_t stride);

/* Write rows x cols int32 values, packed ('<i4'). @return 0 or -1 after
 * error() naming path. */
int npy_write_i32(const char *path, const int32_t *data, size_t rows, size_t cols);

/* Read a 2-D float32 array. *data is malloc'd (rows * cols, packed); the
 * caller frees it. @return 0, or -1 after error() naming path and problem. */
int npy_read(const char *path, float **data, size_t *rows, size_t *cols);
/* The same for a 2-D int32 ('<i4') array. */
int npy_read_i32(const char *path, int32_t **data, size_t *rows, size_t *cols);

#endif
