/**
 * ACPI tables for the i440FX/PIIX PC, generated from an {@link dev.jvirt.firmware.acpi.AcpiConfig}:
 * RSDP, RSDT, XSDT, FADT, FACS, MADT, HPET and a DSDT written with the small AML encoder in
 * {@code aml}. {@link dev.jvirt.firmware.acpi.AcpiTables#install} lays them out for an
 * {@link dev.jvirt.firmware.acpi.AcpiPlacement} and writes them into guest memory.
 */
package dev.jvirt.firmware.acpi;
