/* Inline cache layouts of the cases2rs demo instruction set.
 *
 * Each specializable family names a cache struct; the struct's size in 16-bit
 * code units is the number of cache cells that follow every member of the
 * family, and the DSL's named cache entries must sit at the offsets of the
 * fields with the same names.
 */

#define CACHE_ENTRIES(cache) (sizeof(cache)/sizeof(_Py_CODEUNIT))

typedef struct {
    _Py_BackoffCounter counter;
    uint16_t operand_hint;
} _PyBinaryOpCache;

#define INLINE_CACHE_ENTRIES_BINARY_OP CACHE_ENTRIES(_PyBinaryOpCache)
