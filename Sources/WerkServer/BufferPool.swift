import Glibc

/// An event loop's free list of fixed-size byte blocks for read buffers and output staging, so
/// that an idle connection holds no buffer and a busy one borrows without calling `malloc` (nginx
/// frees its buffers between requests the same way).
///
/// Loop-confined: used only on its loop's thread, like the connections that borrow from it. At
/// most ``maxRetained`` free blocks are kept; ``trim()`` (on the loop's timer tick) frees those
/// beyond ``idleRetained`` when the loop is quiet.
final class BufferPool {
    /// The size of every pooled block (bigger buffers are allocated and freed directly).
    let blockSize: Int
    /// The most free blocks kept.
    let maxRetained: Int
    /// The free blocks kept after a ``trim()``.
    let idleRetained: Int
    @exclusivity(unchecked) private var free: [UnsafeMutablePointer<UInt8>] = []
    /// Blocks handed out and not given back.
    @exclusivity(unchecked) private(set) var borrowed = 0

    /// A readable address for empty buffers that hold no block (never written to).
    nonisolated(unsafe) static let placeholder = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    init(blockSize: Int = 8192, maxRetained: Int = 64, idleRetained: Int = 4) {
        self.blockSize = blockSize
        self.maxRetained = maxRetained
        self.idleRetained = idleRetained
        free.reserveCapacity(maxRetained)
    }

    deinit {
        for block in free { block.deallocate() }
    }

    /// Free blocks kept.
    var retained: Int { free.count }

    /// A block of ``blockSize`` bytes.
    func take() -> UnsafeMutablePointer<UInt8> {
        borrowed += 1
        return free.popLast() ?? .allocate(capacity: blockSize)
    }

    /// Gives back memory of `capacity` bytes: a pooled block is kept (up to ``maxRetained``),
    /// anything else freed.
    func give(_ block: UnsafeMutablePointer<UInt8>, capacity: Int) {
        guard capacity == blockSize else { return block.deallocate() }
        borrowed -= 1
        if free.count < maxRetained { free.append(block) } else { block.deallocate() }
    }

    /// Frees the free blocks beyond ``idleRetained``.
    func trim() {
        while free.count > idleRetained { free.removeLast().deallocate() }
    }
}
