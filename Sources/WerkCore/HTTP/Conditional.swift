/// The conditional-request headers of a request (RFC 9110 §13), as raw header values, and their
/// evaluation against a resource's current entity tag and modification time.
///
/// ```swift
/// let c = ConditionalRequest(ifNoneMatch: #""v1""#)
/// c.evaluate(etag: ETag("v1"), lastModified: nil, isGetOrHead: true)   // .notModified
/// c.isResourceModified(etag: "v1", lastModified: nil)                  // false (Werkzeug's answer)
/// ```
public struct ConditionalRequest: Sendable, Equatable {
    /// `If-None-Match`.
    public var ifNoneMatch: String?
    /// `If-Modified-Since`.
    public var ifModifiedSince: String?
    /// `If-Match`.
    public var ifMatch: String?
    /// `If-Unmodified-Since`.
    public var ifUnmodifiedSince: String?
    /// `If-Range`.
    public var ifRange: String?
    /// `Range`.
    public var range: String?

    /// The header values of a request; `nil` for an absent header.
    public init(ifNoneMatch: String? = nil, ifModifiedSince: String? = nil, ifMatch: String? = nil,
                ifUnmodifiedSince: String? = nil, ifRange: String? = nil, range: String? = nil) {
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifMatch = ifMatch
        self.ifUnmodifiedSince = ifUnmodifiedSince
        self.ifRange = ifRange
        self.range = range
    }

    /// What to do with the request.
    public enum Outcome: Sendable, Equatable {
        /// Send the normal response (200, or 206 when a range applies).
        case proceed
        /// Answer `304 Not Modified`.
        case notModified
        /// Answer `412 Precondition Failed`.
        case preconditionFailed
    }

    /// Evaluates the preconditions in RFC 9110 §13.2.2 order:
    /// 1. `If-Match` (strong comparison; `*` matches when the resource exists, i.e. has an etag or a
    ///    modification time) — no match is 412;
    /// 2. otherwise `If-Unmodified-Since` — modified after the date is 412 (ignored when the date is
    ///    invalid or the modification time unknown);
    /// 3. `If-None-Match` (weak comparison) — a match is 304 for GET/HEAD and 412 otherwise;
    /// 4. otherwise `If-Modified-Since`, for GET/HEAD only — not modified since the date is 304.
    ///
    /// `lastModified` is epoch seconds. Whether a `Range` applies is a separate question: see
    /// ``rangeApplies(etag:lastModified:)``.
    public func evaluate(etag: ETag?, lastModified: Int?, isGetOrHead: Bool) -> Outcome {
        let exists = etag != nil || lastModified != nil
        if let ifMatch {
            let tags = ETags(parsing: ifMatch)
            let matched: Bool
            if tags.isStar { matched = exists } else if let etag, !etag.isWeak { matched = tags.isStrong(etag.value) } else {
                matched = false
            }
            if !matched { return .preconditionFailed }
        } else if let ifUnmodifiedSince, let date = HTTPDate.parse(ifUnmodifiedSince), let lastModified,
                  lastModified > date {
            return .preconditionFailed
        }
        if let ifNoneMatch {
            let tags = ETags(parsing: ifNoneMatch)
            let matched = tags.isStar ? exists : etag.map { tags.containsWeak($0.value) } ?? false
            if matched { return isGetOrHead ? .notModified : .preconditionFailed }
        } else if isGetOrHead, let ifModifiedSince, let date = HTTPDate.parse(ifModifiedSince),
                  let lastModified, lastModified <= date {
            return .notModified
        }
        return .proceed
    }

    /// Whether a `Range` header should be honoured (RFC 9110 §13.1.5): there is a `Range` and either
    /// no `If-Range`, or an `If-Range` entity tag that strongly matches `etag`, or an `If-Range` date
    /// equal to `lastModified`. A weak or unmatched validator means: send the whole representation.
    public func rangeApplies(etag: ETag?, lastModified: Int?) -> Bool {
        guard range != nil else { return false }
        guard let ifRange, let condition = IfRange(parsing: ifRange) else { return true }
        switch condition {
        case .etag(let tag):
            guard let etag, !etag.isWeak, !tag.isWeak else { return false }
            return tag.value == etag.value
        case .date(let date):
            return lastModified == date
        }
    }

    /// Werkzeug's `is_resource_modified`, answer for answer: `false` means "not modified" (304 for a
    /// GET). `etag` is the resource's tag, quoted or not; `lastModified` is epoch seconds.
    ///
    /// - `If-Modified-Since` (or the `If-Range` date, when `ignoreIfRange` is false and there is a
    ///   `Range`) marks it unmodified when `lastModified` is not later.
    /// - With an `etag`, `If-Range`'s tag (strong set), else `If-None-Match` (weak comparison)
    ///   decides, and a non-empty `If-Match` then overrides: unmodified unless it strongly holds the tag.
    public func isResourceModified(etag: String?, lastModified: Int?, ignoreIfRange: Bool = true) -> Bool {
        var unmodified = false
        var ifRangeValue: IfRange?? = nil
        if !ignoreIfRange, range != nil {
            ifRangeValue = .some(ifRange.flatMap { IfRange(parsing: $0) })
        }
        let modifiedSince: Int?
        if case .date(let d)?? = ifRangeValue { modifiedSince = d } else { modifiedSince = ifModifiedSince.flatMap(HTTPDate.parse) }
        if let modifiedSince, let lastModified, lastModified <= modifiedSince { unmodified = true }
        if let etag, !etag.isEmpty, let tag = ETag(parsing: etag)?.value {
            if case .etag(let rangeTag)?? = ifRangeValue {
                unmodified = ETags(parsing: rangeTag.value).contains(tag)
            } else {
                let noneMatch = ETags(parsing: ifNoneMatch)
                if !noneMatch.isEmpty { unmodified = noneMatch.containsWeak(tag) }
                let match = ETags(parsing: ifMatch)
                if !match.isEmpty { unmodified = !match.isStrong(tag) }
            }
        }
        return !unmodified
    }
}
