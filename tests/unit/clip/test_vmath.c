/* test_vmath.c — vexpf against libm's expf over the range the kernels use. */
#include <math.h>

#include "check.h"
#include "clip/vmath.h"

int main(void) {
    double worst = 0;
    float at = 0;
    for (float x = -87.0f; x <= 87.9f; x += 0.000731f) {
        double ref = exp((double)x), got = vexpf(x);
        double rel = fabs(got - ref) / ref;
        if (rel > worst) worst = rel, at = x;
    }
    check_report(worst < 3e-7, "vexpf relative error < 3e-7 on [-87, 87.9]", "worst %.3g at x = %.9g", worst, at);
    check_report(vexpf(-1000.0f) < 1e-37f && vexpf(-1000.0f) >= 0, "vexpf underflows to ~0", "%g", vexpf(-1000.0f));
    check_report(isfinite(vexpf(1000.0f)) && vexpf(1000.0f) > 1e38f, "vexpf saturates finitely", "%g", vexpf(1000.0f));
    check_report(vexpf(0.0f) == 1.0f, "vexpf(0) == 1", "%.9g", vexpf(0.0f));
    return check_done();
}
