"""tests/qemu/fat_image.py - just enough of an image's ESP to find a
file's clusters and edit them: for the boot tests (badimage.py), the
image tests and the bench (tests/bench/bench.py), with nothing but the
standard library.

The ESP starts at LBA 2048 (1 MiB); its FAT layout is read from the boot
sector (Microsoft FAT specification 1.03, BPB at offset 11), so it
follows whatever FAT type mkimage chose.
"""
import struct

ESP_LBA = 2048
SECTOR = 512


class Fat:
    """Just enough of the ESP's FAT to find a file's clusters and edit them."""

    def __init__(self, img):
        self.img = str(img)
        with open(self.img, "rb") as f:
            f.seek(ESP_LBA * SECTOR)
            bs = f.read(SECTOR)
        (self.bps, self.spc, self.reserved, self.nfats, self.root_entries, tot16, _,
         fat16) = struct.unpack_from("<HBHBHHBH", bs, 11)
        tot32, fat32 = struct.unpack_from("<II", bs, 32)
        self.root_cluster = struct.unpack_from("<I", bs, 44)[0]
        assert self.bps == SECTOR
        self.fat_sectors = fat16 or fat32
        total = tot16 or tot32
        root_sectors = (self.root_entries * 32 + SECTOR - 1) // SECTOR
        self.data = self.reserved + self.nfats * self.fat_sectors + root_sectors
        self.clusters = (total - self.data) // self.spc
        self.fat32 = fat16 == 0
        self.width = 4 if self.fat32 else 2
        self.fat = None  # first_fat()

    def read(self, lba, count):
        with open(self.img, "rb") as f:
            f.seek((ESP_LBA + lba) * SECTOR)
            return f.read(count * SECTOR)

    def first_fat(self):
        """The first FAT's bytes, read once: a chain walk asks for every
        link, thousands for a big kernel."""
        if self.fat is None:
            self.fat = bytearray(self.read(self.reserved, self.fat_sectors))
        return self.fat

    def entry(self, cluster):
        at = cluster * self.width
        value = int.from_bytes(self.first_fat()[at:at + self.width], "little")
        return value & 0x0FFFFFFF if self.fat32 else value

    def set_entry(self, cluster, value):
        """Write FAT[cluster] in every copy of the FAT (and the copy read)."""
        raw = value.to_bytes(self.width, "little")
        self.first_fat()[cluster * self.width:(cluster + 1) * self.width] = raw
        with open(self.img, "r+b") as f:
            for copy in range(self.nfats):
                lba = ESP_LBA + self.reserved + copy * self.fat_sectors
                f.seek(lba * SECTOR + cluster * self.width)
                f.write(raw)

    def cluster_lba(self, cluster):
        """Disk LBA of a cluster's first sector."""
        return ESP_LBA + self.data + (cluster - 2) * self.spc

    def chain(self, first):
        out = [first]
        end = 0x0FFFFFF8 if self.fat32 else 0xFFF8
        while len(out) <= self.clusters:
            nxt = self.entry(out[-1])
            if nxt >= end or nxt < 2:
                break
            out.append(nxt)
        return out

    def dir_entries(self, cluster):
        if cluster == 0:  # the FAT12/16 root directory
            raw = self.read(self.reserved + self.nfats * self.fat_sectors,
                            (self.root_entries * 32) // SECTOR)
        else:
            raw = b"".join(self.read(self.data + (c - 2) * self.spc, self.spc)
                           for c in self.chain(cluster))
        for i in range(0, len(raw), 32):
            e = raw[i:i + 32]
            if e[0] == 0:
                break
            if e[0] == 0xE5 or e[11] == 0x0F:
                continue
            hi, lo, size = struct.unpack_from("<H4xHI", e, 20)
            yield e[:11].decode("latin-1"), (hi << 16) | lo, size

    def lookup(self, path):
        """(first cluster, size) of an 8.3 path like BOOT/KERNEL.ELF."""
        cluster = self.root_cluster if self.fat32 else 0
        size = 0
        for part in path.strip("/").upper().split("/"):
            stem, _, ext = part.partition(".")
            want = f"{stem:<8}{ext:<3}"
            found = [(c, s) for n, c, s in self.dir_entries(cluster) if n == want]
            assert found, f"{part} not found in the ESP"
            cluster, size = found[0]
        return cluster, size

    def extent(self, path, nbytes=None):
        """[first, end) disk LBAs of a file's first nbytes (all of it by
        default), which must lie in consecutive clusters, as mkimage
        writes them."""
        first, size = self.lookup(path)
        nbytes = size if nbytes is None else nbytes
        cluster = self.spc * SECTOR
        clusters = self.chain(first)[:(nbytes + cluster - 1) // cluster]
        assert clusters == list(range(first, first + len(clusters))), \
            f"mkimage wrote {path} in more than one run"
        start = self.cluster_lba(first)
        return start, start + (nbytes + SECTOR - 1) // SECTOR
