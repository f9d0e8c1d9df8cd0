// dicom_read.cc — DICOM file -> one decoded raw frame and the attributes of
// spec section 11, through DCMTK (see dicom_read.h). The only C++ file of
// ppad: everything DCMTK-specific stays here, nothing here does pixel math.
#include "image/dicom_read.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

namespace {

// Codecs are registered once per process; DCMTK's logger is switched off so
// that no library prints anything (errors come back as one line in msg).
void dicom_init() {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();   // JPEG baseline, extended, lossless
        DJLSDecoderRegistration::registerCodecs(); // JPEG-LS
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

int fail(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int fail(char *msg, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return -1;
}

struct dicom_handle {
    DcmInputBufferStream stream;
    DcmFileFormat file;
};

long get_long(DcmItem *ds, const DcmTagKey &tag, long dflt) {
    long v;
    return ds->findAndGetLongInt(tag, v).good() ? v : dflt;
}

// A short string attribute; bytes outside printable ASCII become '?' (they
// may end up in a message).
void get_str(DcmItem *ds, const DcmTagKey &tag, char *dst, size_t n) {
    OFString s;
    dst[0] = 0;
    if (ds->findAndGetOFString(tag, s).good()) snprintf(dst, n, "%s", s.c_str());
    for (char *p = dst; *p; p++)
        if (*p < 0x20 || *p > 0x7e) *p = '?';
}

// A decimal string value, parsed as Python's float() parses pydicom's DS
// (strtod is correctly rounded; DCMTK's own conversion need not be).
bool get_ds(DcmItem *ds, const DcmTagKey &tag, unsigned long pos, double *out) {
    OFString s;
    if (ds->findAndGetOFString(tag, s, pos).bad()) return false;
    const char *p = s.c_str();
    char *end;
    double v = strtod(p, &end);
    if (end == p) return false;
    while (*end == ' ') end++;
    if (*end || !std::isfinite(v)) return false; // "nan", "inf": not a usable value
    *out = v;
    return true;
}

unsigned long get_vm(DcmItem *ds, const DcmTagKey &tag) {
    DcmElement *e = nullptr;
    if (ds->findAndGetElement(tag, e).bad() || !e || e->getLength() == 0) return 0;
    return e->getVM();
}

// LUT Descriptor + LUT Data of one item, as pydicom reads them: the first
// value unsigned (0 = 65536 entries), the second signed where its VR is SS
// (or, in implicit VR, where the pixel data are signed).
int read_lut(dicom_lut *lut, DcmItem *item, int pixel_signed, const char *what, char *msg, size_t n) {
    DcmElement *desc = nullptr, *data = nullptr;
    if (item->findAndGetElement(DCM_LUTDescriptor, desc).bad() || !desc || desc->getVM() != 3)
        return fail(msg, n, "%s: LUT Descriptor missing or not 3 values", what);
    Uint16 d[3];
    for (unsigned long i = 0; i < 3; i++)
        if (desc->getUint16(d[i], i).bad()) {
            Sint16 s;
            if (desc->getSint16(s, i).bad()) return fail(msg, n, "%s: unreadable LUT Descriptor", what);
            d[i] = (Uint16)s;
        }
    DcmEVR vr = desc->ident();
    bool first_signed = vr == EVR_SS || (vr != EVR_US && pixel_signed);
    lut->n = d[0] ? d[0] : 65536;
    lut->first = first_signed ? (long)(Sint16)d[1] : (long)d[1];
    lut->bits = d[2];
    if (lut->bits != 8 && (lut->bits < 10 || lut->bits > 16))
        return fail(msg, n, "%s: %d bits per LUT entry is not supported (8 or 10-16)", what, lut->bits);
    if (item->findAndGetElement(DCM_LUTData, data).bad() || !data)
        return fail(msg, n, "%s: LUT Data missing", what);
    Uint16 *words = nullptr;
    unsigned long count = data->getLength() / 2;
    if (data->getUint16Array(words).bad() || !words || (long)count < lut->n)
        return fail(msg, n, "%s: LUT Data holds fewer than the %ld entries its descriptor gives", what, lut->n);
    lut->data = (uint16_t *)malloc(sizeof(uint16_t) * (size_t)lut->n);
    if (!lut->data) return fail(msg, n, "out of memory reading a LUT");
    memcpy(lut->data, words, sizeof(uint16_t) * (size_t)lut->n);
    return 0;
}

int read_luts_and_windows(dicom_frame *f, DcmDataset *ds, char *msg, size_t n) {
    DcmItem *item = nullptr;
    if (ds->findAndGetSequenceItem(DCM_ModalityLUTSequence, item, 0).good() && item) {
        if (read_lut(&f->modality_lut, item, f->is_signed, "Modality LUT Sequence", msg, n)) return -1;
        f->has_modality_lut = 1;
    }
    DcmSequenceOfItems *seq = nullptr;
    if (ds->findAndGetSequence(DCM_VOILUTSequence, seq).good() && seq && seq->card() > 0) {
        DcmItem *first = seq->getItem(0);
        // pydicom uses the sequence when its first item has a descriptor and data
        if (first && first->tagExists(DCM_LUTDescriptor) && first->tagExists(DCM_LUTData)) {
            unsigned long k = seq->card();
            f->voi_luts = (dicom_lut *)calloc(k, sizeof(dicom_lut));
            if (!f->voi_luts) return fail(msg, n, "out of memory reading the VOI LUT Sequence");
            f->n_voi_luts = (int)k;
            for (unsigned long i = 0; i < k; i++) {
                char what[48];
                snprintf(what, sizeof what, "VOI LUT Sequence item %lu", i + 1);
                if (read_lut(&f->voi_luts[i], seq->getItem(i), f->is_signed, what, msg, n)) return -1;
            }
        }
    }
    unsigned long nc = get_vm(ds, DCM_WindowCenter), nw = get_vm(ds, DCM_WindowWidth);
    if (nc && nw) {
        if (nc > DICOM_MAX_WINDOWS) nc = DICOM_MAX_WINDOWS;
        if (nw > DICOM_MAX_WINDOWS) nw = DICOM_MAX_WINDOWS;
        for (unsigned long i = 0; i < nc; i++)
            if (!get_ds(ds, DCM_WindowCenter, i, &f->centers[i])) return fail(msg, n, "unreadable Window Center");
        for (unsigned long i = 0; i < nw; i++)
            if (!get_ds(ds, DCM_WindowWidth, i, &f->widths[i])) return fail(msg, n, "unreadable Window Width");
        f->n_centers = (int)nc;
        f->n_widths = (int)nw;
    }
    get_str(ds, DCM_VOILUTFunction, f->voi_function, sizeof f->voi_function);
    return 0;
}

// SOP classes that hold no image: structured reports (incl. key object
// selection), presentation states, and a few other document classes.
const char *non_image_sop(const char *uid) {
    static const struct { const char *prefix, *what; } table[] = {
        {"1.2.840.10008.5.1.4.1.1.88.59", "a key object selection document"},
        {"1.2.840.10008.5.1.4.1.1.88.", "a structured report"},
        {"1.2.840.10008.5.1.4.1.1.11.", "a presentation state"},
        {"1.2.840.10008.5.1.4.1.1.104.", "an encapsulated document"},
        {"1.2.840.10008.5.1.4.1.1.9.", "a waveform"},
        {"1.2.840.10008.5.1.4.1.1.481.", "a radiotherapy object"},
        {"1.2.840.10008.5.1.4.1.1.66", "a raw data, registration or segmentation object"},
    };
    for (const auto &t : table)
        if (!strncmp(uid, t.prefix, strlen(t.prefix))) return t.what;
    return nullptr;
}

int read_frame(dicom_frame *f, dicom_handle *h, const unsigned char *data, size_t size, long max_side,
               long max_pixels, char *msg, size_t n) {
    h->stream.setBuffer(data, (offile_off_t)size);
    h->stream.setEos();
    h->file.transferInit();
    OFCondition cond = h->file.read(h->stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
    h->file.transferEnd();
    if (cond == EC_StreamNotifyClient || cond == EC_PrematureSequDelimitationItem ||
        cond == EC_SequEnd || (cond.bad() && h->stream.eos()))
        return fail(msg, n, "truncated DICOM file (it ends early)");
    if (cond.bad()) return fail(msg, n, "corrupt DICOM file: %s", cond.text());
    DcmDataset *ds = h->file.getDataset();
    E_TransferSyntax xfer = ds->getOriginalXfer();
    DcmXfer xf(xfer);
    snprintf(f->transfer_syntax, sizeof f->transfer_syntax, "%s", xf.getXferName());

    char sop[72];
    get_str(ds, DCM_SOPClassUID, sop, sizeof sop);
    if (!sop[0]) get_str(h->file.getMetaInfo(), DCM_MediaStorageSOPClassUID, sop, sizeof sop);
    const char *what = non_image_sop(sop);
    if (what) return fail(msg, n, "%s (SOP class %s), not an image", what, sop);
    get_str(ds, DCM_Modality, f->modality, sizeof f->modality);
    if (!ds->tagExists(DCM_PixelData)) {
        if (ds->tagExists(DCM_FloatPixelData) || ds->tagExists(DCM_DoubleFloatPixelData))
            return fail(msg, n, "float pixel data is not supported");
        return fail(msg, n, "no pixel data (not an image)");
    }
    long frames = get_long(ds, DCM_NumberOfFrames, 1);
    if (frames > 1) return fail(msg, n, "%ld frames; only single-frame images are read", frames);
    long rows = get_long(ds, DCM_Rows, 0), cols = get_long(ds, DCM_Columns, 0);
    if (rows <= 0 || cols <= 0) return fail(msg, n, "corrupt DICOM image: size %ldx%ld", cols, rows);
    if (rows > max_side || cols > max_side || rows * cols > max_pixels)
        return fail(msg, n, "image size %ldx%ld is too large (at most %ld per side and %ld pixels)", cols, rows,
                    max_side, max_pixels);
    f->rows = (int)rows;
    f->cols = (int)cols;
    f->samples = (int)get_long(ds, DCM_SamplesPerPixel, 1);
    f->bits_allocated = (int)get_long(ds, DCM_BitsAllocated, 0);
    f->bits_stored = (int)get_long(ds, DCM_BitsStored, f->bits_allocated);
    f->high_bit = (int)get_long(ds, DCM_HighBit, f->bits_stored - 1);
    f->is_signed = get_long(ds, DCM_PixelRepresentation, 0) == 1;
    if (f->samples != 1 && f->samples != 3) return fail(msg, n, "%d samples per pixel is not supported", f->samples);
    if (f->bits_allocated != 8 && f->bits_allocated != 16)
        return fail(msg, n, "%d bits allocated per sample is not supported (8 or 16)", f->bits_allocated);
    if (f->bits_stored < 1 || f->bits_stored > f->bits_allocated || f->high_bit < f->bits_stored - 1 ||
        f->high_bit >= f->bits_allocated)
        return fail(msg, n, "corrupt DICOM image: %d bits stored, high bit %d in %d bits allocated", f->bits_stored,
                    f->high_bit, f->bits_allocated);
    if (f->samples == 3 && f->bits_allocated != 8)
        return fail(msg, n, "%d-bit colour is not supported (8-bit only)", f->bits_allocated);

    // decode to native little-endian samples (a no-op for uncompressed data)
    if (xf.isEncapsulated()) {
        if (!DcmCodecList::canChangeCoding(xfer, EXS_LittleEndianExplicit))
            return fail(msg, n, "transfer syntax %s cannot be decoded here", f->transfer_syntax);
        cond = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (cond.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
            bool detail = cond.bad() && cond != EC_CannotChangeRepresentation; // that one says nothing more
            return fail(msg, n, "corrupt %s pixel data%s%s", f->transfer_syntax, detail ? ": " : "",
                        detail ? cond.text() : "");
        }
    }
    // read after decoding: a YBR JPEG decodes to RGB, planes may be rearranged
    get_str(ds, DCM_PhotometricInterpretation, f->photometric, sizeof f->photometric);
    f->planar = (int)get_long(ds, DCM_PlanarConfiguration, 0);
    bool mono = !strcmp(f->photometric, "MONOCHROME1") || !strcmp(f->photometric, "MONOCHROME2");
    if (f->samples == 1 && !mono)
        return fail(msg, n, "photometric interpretation '%s' is not supported (MONOCHROME1, MONOCHROME2, RGB)",
                    f->photometric);
    if (f->samples == 3 && strcmp(f->photometric, "RGB") && strcmp(f->photometric, "YBR_FULL"))
        return fail(msg, n, "photometric interpretation '%s' is not supported for colour (RGB, YBR_FULL)",
                    f->photometric);

    size_t need = (size_t)rows * (size_t)cols * (size_t)f->samples * (size_t)(f->bits_allocated / 8);
    DcmElement *pix = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, pix).bad() || !pix) return fail(msg, n, "no pixel data");
    if ((size_t)pix->getLength() < need)
        return fail(msg, n, "truncated pixel data (%lu of %zu bytes)", (unsigned long)pix->getLength(), need);
    if (f->bits_allocated == 8) {
        Uint8 *p = nullptr;
        if (pix->getUint8Array(p).bad() || !p) return fail(msg, n, "unreadable pixel data");
        f->px8 = p;
    } else {
        Uint16 *p = nullptr;
        if (pix->getUint16Array(p).bad() || !p) return fail(msg, n, "unreadable pixel data");
        f->px16 = p;
    }

    f->has_rescale = get_vm(ds, DCM_RescaleSlope) && get_vm(ds, DCM_RescaleIntercept);
    if (f->has_rescale && (!get_ds(ds, DCM_RescaleSlope, 0, &f->slope) ||
                           !get_ds(ds, DCM_RescaleIntercept, 0, &f->intercept)))
        return fail(msg, n, "unreadable Rescale Slope or Intercept");
    return f->samples == 1 ? read_luts_and_windows(f, ds, msg, n) : 0;
}

} // namespace

extern "C" int dicom_sniff(const unsigned char *data, size_t size) {
    return size >= 132 && !memcmp(data + 128, "DICM", 4);
}

extern "C" int dicom_read_frame(dicom_frame *out, const unsigned char *data, size_t size, long max_side,
                                long max_pixels, char *msg, size_t msg_size) {
    memset(out, 0, sizeof *out);
    msg[0] = 0;
    int rc;
    try {
        dicom_init();
        dicom_handle *h = new dicom_handle;
        out->handle = h;
        rc = read_frame(out, h, data, size, max_side, max_pixels, msg, msg_size);
    } catch (const std::bad_alloc &) {
        rc = fail(msg, msg_size, "out of memory decoding the DICOM file");
    } catch (...) {
        rc = fail(msg, msg_size, "DICOM decoding failed");
    }
    if (rc) dicom_frame_free(out);
    return rc;
}

extern "C" void dicom_frame_free(dicom_frame *f) {
    if (!f) return;
    delete (dicom_handle *)f->handle;
    free(f->modality_lut.data);
    for (int i = 0; i < f->n_voi_luts; i++) free(f->voi_luts[i].data);
    free(f->voi_luts);
    memset(f, 0, sizeof *f);
}
