// Section sizes of a linked 32-bit little-endian ELF (what `size -A` prints), read
// directly so that the figures need no binutils: the firmware's flash and RAM come from them.
import { RampartError } from '../../../runtime/errors.ts';

export interface ElfSection { name: string; type: number; flags: number; addr: number; size: number }

const SHT_NOBITS = 8;
export const SHF_ALLOC = 2;

export function elfSections(elf: Uint8Array, file?: string): ElfSection[] {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.length < 52 || v.getUint32(0, false) !== 0x7f454c46 || elf[4] !== 1 || elf[5] !== 1) {
    throw new RampartError('not a 32-bit little-endian ELF file', { file });
  }
  const shoff = v.getUint32(32, true), shentsize = v.getUint16(46, true), shnum = v.getUint16(48, true), shstrndx = v.getUint16(50, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return { nameAt: v.getUint32(at, true), type: v.getUint32(at + 4, true), flags: v.getUint32(at + 8, true), addr: v.getUint32(at + 12, true), offset: v.getUint32(at + 16, true), size: v.getUint32(at + 20, true) };
  });
  const strtab = raw[shstrndx];
  const name = (at: number) => {
    let end = strtab.offset + at;
    while (elf[end] !== 0) end++;
    return new TextDecoder().decode(elf.subarray(strtab.offset + at, end));
  };
  return raw.map((s) => ({ name: name(s.nameAt), type: s.type, flags: s.flags, addr: s.addr, size: s.size }));
}

/**
 * Flash = what is loaded into code memory: code and constants (.text), unwind tables
 * and the initial values of .data; the test vectors (.rp_testdata) are not counted.
 * RAM = .data + .bss (+ the stack, measured at run time, added by the caller).
 */
export function firmwareSizes(elf: Uint8Array, file?: string): { flashBytes: number; dataBytes: number; bssBytes: number; testdataBytes: number; sections: ElfSection[] } {
  const sections = elfSections(elf, file).filter((s) => s.flags & SHF_ALLOC);
  const size = (n: string) => sections.filter((s) => s.name === n).reduce((a, s) => a + s.size, 0);
  const dataBytes = size('.data');
  const flashBytes = sections.filter((s) => s.type !== SHT_NOBITS && s.name !== '.rp_testdata' && s.name !== '.data').reduce((a, s) => a + s.size, 0) + dataBytes;
  return { flashBytes, dataBytes, bssBytes: size('.bss'), testdataBytes: size('.rp_testdata'), sections };
}
