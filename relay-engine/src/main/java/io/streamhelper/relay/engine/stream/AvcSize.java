package io.streamhelper.relay.engine.stream;

import io.netty.buffer.ByteBuf;

/**
 * The picture size an H.264 sequence parameter set gives, read from an AVCDecoderConfigurationRecord
 * (the payload of an AVC sequence header): how the stats know the size of a multitrack stream's
 * other renditions, which its onMetaData does not describe. Reads in place (emulation-prevention
 * bytes skipped as it goes); anything it cannot follow gives null, never an exception.
 */
final class AvcSize {
    private static final int MAX_SIZE = 16_384;

    private final ByteBuf buf;
    private final int end;
    private int at;
    private int bit;
    private int zeros;

    private AvcSize(ByteBuf buf, int at, int end) {
        this.buf = buf;
        this.at = at;
        this.end = end;
    }

    /** {width, height}, or null when the record holds no SPS that can be read. */
    static int[] read(ByteBuf record, int index, int length) {
        int end = index + length;
        if (length < 8 || (record.getUnsignedByte(index + 5) & 0x1F) == 0) {
            return null;
        }
        int spsLength = record.getUnsignedShort(index + 6);
        int sps = index + 8;
        if (spsLength < 4 || sps + spsLength > end || (record.getUnsignedByte(sps) & 0x1F) != 7) {
            return null;
        }
        try {
            return new AvcSize(record, sps + 1, sps + spsLength).size();
        } catch (IllegalStateException | ArithmeticException truncatedOrAbsurd) {
            return null;
        }
    }

    private int[] size() {
        int profile = bits(8);
        bits(16); // constraint flags, level
        ue(); // seq_parameter_set_id
        int chroma = 1;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chroma = ue();
            if (chroma == 3) {
                bits(1);
            }
            ue();
            ue();
            bits(1);
            if (bits(1) == 1) {
                for (int i = 0; i < (chroma == 3 ? 12 : 8); i++) {
                    if (bits(1) == 1) {
                        skipScalingList(i < 6 ? 16 : 64);
                    }
                }
            }
        }
        ue(); // log2_max_frame_num_minus4
        int pocType = ue();
        if (pocType == 0) {
            ue();
        } else if (pocType == 1) {
            bits(1);
            se();
            se();
            int n = ue();
            if (n > 255) {
                throw new IllegalStateException("absurd");
            }
            for (int i = 0; i < n; i++) {
                se();
            }
        }
        ue(); // max_num_ref_frames
        bits(1);
        int widthMbs = ue() + 1;
        int heightUnits = ue() + 1;
        int frameMbsOnly = bits(1);
        if (frameMbsOnly == 0) {
            bits(1);
        }
        bits(1); // direct_8x8_inference
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (bits(1) == 1) {
            cropLeft = ue();
            cropRight = ue();
            cropTop = ue();
            cropBottom = ue();
        }
        int subWidth = chroma == 1 || chroma == 2 ? 2 : 1;
        int subHeight = chroma == 1 ? 2 : 1;
        int cropX = chroma == 0 ? 1 : subWidth;
        int cropY = (chroma == 0 ? 1 : subHeight) * (2 - frameMbsOnly);
        int width = Math.multiplyExact(widthMbs, 16) - cropX * (cropLeft + cropRight);
        int height = Math.multiplyExact(Math.multiplyExact(2 - frameMbsOnly, heightUnits), 16) - cropY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > MAX_SIZE || height > MAX_SIZE) {
            return null;
        }
        return new int[] {width, height};
    }

    private void skipScalingList(int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private int ue() {
        int leading = 0;
        while (bits(1) == 0) {
            if (++leading > 31) {
                throw new IllegalStateException("absurd Exp-Golomb code");
            }
        }
        return leading == 0 ? 0 : (int) ((1L << leading) - 1 + bitsLong(leading));
    }

    private int se() {
        int k = ue();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    private long bitsLong(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 1 | bits(1);
        }
        return v;
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            if (bit == 0) {
                skipEmulationPrevention();
            }
            if (at >= end) {
                throw new IllegalStateException("SPS ends early");
            }
            int b = buf.getUnsignedByte(at);
            v = v << 1 | (b >> (7 - bit)) & 1;
            if (++bit == 8) {
                bit = 0;
                zeros = b == 0 ? zeros + 1 : 0;
                at++;
            }
        }
        return v;
    }

    /** 00 00 03 in a NAL unit: the 03 is not data. */
    private void skipEmulationPrevention() {
        if (zeros >= 2 && at < end && buf.getUnsignedByte(at) == 3) {
            at++;
            zeros = 0;
        }
    }
}
