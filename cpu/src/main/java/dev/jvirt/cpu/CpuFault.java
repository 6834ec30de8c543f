package dev.jvirt.cpu;

/**
 * An architectural exception raised while executing an instruction (#GP, #PF, ...). One instance per
 * CPU is reused and carries no stack trace, so raising a guest fault allocates nothing.
 */
public final class CpuFault extends RuntimeException {
    public int vector;
    public int errorCode;
    public boolean hasErrorCode;

    public CpuFault() {
        super(null, null, false, false);
    }

    CpuFault set(int vector, boolean hasErrorCode, int errorCode) {
        this.vector = vector;
        this.hasErrorCode = hasErrorCode;
        this.errorCode = errorCode;
        return this;
    }

    @Override
    public String getMessage() {
        return "vector " + vector + (hasErrorCode ? " error " + Integer.toHexString(errorCode) : "");
    }
}
