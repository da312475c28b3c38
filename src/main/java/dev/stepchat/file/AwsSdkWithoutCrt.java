package dev.stepchat.file;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;

import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * The native image of the AWS SDK's S3 client without the AWS Common Runtime (aws-crt, a native
 * library this service does not ship): the SDK's checksum provider names CRT classes directly,
 * which the image builder cannot link. These replace its CRT paths by what the SDK does when the
 * CRT is absent on the JVM: CRC32C from the JDK, and an error for the checksums only the CRT
 * computes (CRC64NVME, xxHash), which the S3 store never asks for. Used by the image builder only.
 */
final class AwsSdkWithoutCrt {

    private AwsSdkWithoutCrt() {}

    static final String NO_CRT = "this executable has no AWS Common Runtime (software.amazon.awssdk.crt:aws-crt)";

    @TargetClass(className = "software.amazon.awssdk.checksums.internal.ChecksumProvider")
    static final class ChecksumProviderWithoutCrt {

        @Substitute
        static SdkChecksum createCrtCrc32C() {
            return null; // the caller then takes the JDK's CRC32C
        }

        @Substitute
        static SdkChecksum crc64NvmeCrtImplementation() {
            throw new UnsupportedOperationException("CRC64NVME: " + NO_CRT);
        }

        @Substitute
        static SdkChecksum crtXxHash(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm algorithm) {
            throw new UnsupportedOperationException("xxHash: " + NO_CRT);
        }
    }
}
