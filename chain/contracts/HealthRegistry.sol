// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title HealthRegistry: anchors, consent grants, caregiver delegations and private access
/// logs of Health Wallet.
/// @notice The registry stores hashes, addresses and times, never health data and never the
/// identity of whoever a grant is for:
///  - an anchor is the Merkle root of a batch of salted record commitments;
///  - a grant is the EIP-712 digest of a signed consent (the recipient and the scope live inside
///    the digest, off chain), with the address of its access key (derived from the link's key);
///  - a delegation lets a caregiver VIEW, SHARE (issue grants for the patient) or MANAGE
///    (revoke the patient's grants) until it expires; it carries the hash of the scope document
///    the patient signed off chain (which records, whom for), never the document itself;
///  - an access-log entry is a salted commitment to what a receiver said, which only the
///    patient can open.
///
/// Storage is keyed by the patient: an anchor lives under keccak256(abi.encode(patient, root)),
/// a grant under its grant key keccak256(abi.encode(patient, digest)). Whoever else anchors
/// the same root or issues the same digest writes under their own address, so nobody can occupy
/// or block a patient's anchor or grant.
///
/// Every action exists in two forms: a plain one acting for msg.sender, and a signed one
/// (anchorSigned, issueGrantSigned, …) carrying the patient's (or delegate's) EIP-712 signature
/// under the domain {name "HealthWallet", version "1", chainId, verifyingContract}, which anyone
/// may submit and which counts as the signer's own. Signatures are compact (EIP-2098: r and vs,
/// the parity in the top bit of vs); a high s and a signature recovering to no address are
/// refused. Every signed action carries a deadline (unix seconds; reverts Expired past it).
/// Anchors, grants, revokes and access-log entries are one-shot through state; delegations use a
/// per-patient nonce, consumed on use, so old calldata cannot set a delegation again.
///
/// Every state change of a patient emits an event whose first indexed topic is the patient, so a
/// wallet rebuilds its history with one log query on (registry address, topic1 = patient).
/// AccessLogged is the exception: it names only the grant key, so nothing on chain puts the
/// patient beside a receiver.
/// @dev Times are unix seconds compared with block.timestamp: a grant or delegation is active
/// while block.timestamp < expiry. A grant takes one slot (access key, expiry, revoked); its
/// issuer is implied to be the patient and takes a second slot only when a delegate issued it.
contract HealthRegistry {
    /// @dev Delegation rights, a bit set.
    uint8 internal constant VIEW = 1;
    uint8 internal constant SHARE = 2;
    uint8 internal constant MANAGE = 4;
    uint8 internal constant ALL_RIGHTS = VIEW | SHARE | MANAGE;

    /// @dev secp256k1's n / 2: a larger s is the malleable twin of a valid signature.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant ANCHOR_TYPEHASH = keccak256("Anchor(bytes32 root,uint32 count,uint64 deadline)");
    bytes32 private constant ISSUE_GRANT_TYPEHASH = keccak256(
        "IssueGrant(address patient,bytes32 digest,address accessKey,uint64 expiry,uint64 deadline)"
    );
    bytes32 private constant REVOKE_GRANT_TYPEHASH =
        keccak256("RevokeGrant(address patient,bytes32 digest,uint64 deadline)");
    bytes32 private constant SET_DELEGATE_TYPEHASH = keccak256(
        "SetDelegate(address delegate,uint8 rights,uint64 expiry,bytes32 scope,uint64 nonce,uint64 deadline)"
    );
    bytes32 private constant REVOKE_DELEGATE_TYPEHASH =
        keccak256("RevokeDelegate(address delegate,uint64 nonce,uint64 deadline)");
    bytes32 private constant LOG_ACCESS_TYPEHASH =
        keccak256("LogAccess(bytes32 grantKey,bytes32 entry,uint64 deadline)");

    /// @dev The domain separator at deployment, and the chain it was computed for; recomputed
    /// if the chain id ever differs (a fork).
    bytes32 private immutable _cachedDomain;
    uint256 private immutable _cachedChainId;

    /// @dev One slot: 8 + 4 bytes. Keyed by keccak256(abi.encode(patient, root)).
    struct Anchor {
        uint64 anchoredAt;
        uint32 count;
    }

    /// @dev One slot: 20 + 8 + 1 bytes. Keyed by the grant key. Issued when expiry != 0.
    struct Grant {
        address accessKey;
        uint64 expiry;
        bool revoked;
    }

    /// @dev Two slots: rights and expiry (1 + 8 bytes), then the scope hash. The checks of
    /// grants and revokes read only the first.
    struct Delegation {
        uint8 rights;
        uint64 expiry;
        bytes32 scope;
    }

    mapping(bytes32 anchorKey => Anchor) private _anchors;
    mapping(bytes32 grantKey => Grant) private _grants;
    /// @dev Set only for grants issued by a delegate; otherwise the issuer is the patient.
    mapping(bytes32 grantKey => address) private _delegateIssuer;
    mapping(address patient => mapping(address delegate => Delegation)) private _delegations;
    mapping(address patient => uint64) private _nonces;
    /// @dev keccak256(abi.encode(grantKey, entry)) of every access-log entry recorded.
    mapping(bytes32 => bool) private _logged;

    /// @notice A batch of `count` record commitments with Merkle root `root` was anchored.
    event Anchored(address indexed patient, bytes32 indexed root, uint32 count);
    /// @notice A grant was issued, by the patient or by a delegate with SHARE.
    event GrantIssued(address indexed patient, bytes32 indexed digest, address indexed issuer, uint64 expiry);
    /// @notice A grant was revoked, by the patient, a MANAGE delegate or its issuer.
    event GrantRevoked(address indexed patient, bytes32 indexed digest, address indexed by);
    /// @notice A delegation was created or replaced; `scope` is the keccak hash of the scope
    /// document the patient signed for it.
    event DelegateSet(address indexed patient, address indexed delegate, uint8 rights, uint64 expiry, bytes32 scope);
    /// @notice A delegation was removed by the patient.
    event DelegateRevoked(address indexed patient, address indexed delegate);
    /// @notice A holder of the link of the grant with key `grantKey` logged an access: `entry`
    /// commits to what the receiver said, salted; only the patient can open it.
    event AccessLogged(bytes32 indexed grantKey, bytes32 entry);

    /// @notice The caller (or signer) may not do this for this patient or grant.
    error NotAuthorized(address caller);
    error EmptyRoot();
    error EmptyBatch();
    error AlreadyAnchored(bytes32 root, address patient);
    /// @notice The expiry is not in the future, or outlives the issuing delegate's delegation.
    error BadExpiry(uint64 expiry);
    error GrantExists(bytes32 digest);
    error GrantNotFound(bytes32 digest);
    error GrantExpired(bytes32 digest, uint64 expiry);
    error GrantAlreadyRevoked(bytes32 digest);
    /// @notice Rights must be a non-empty combination of VIEW=1, SHARE=2, MANAGE=4.
    error BadRights(uint8 rights);
    /// @notice A delegate can be neither the zero address nor the patient.
    error BadDelegate(address delegate);
    error DelegateNotFound(address patient, address delegate);
    /// @notice A delegation must name the hash of its scope document; zero names none.
    error BadScope();
    /// @notice A signed action submitted after its deadline.
    error Expired(uint64 deadline);
    /// @notice The signature is malformed (high s) or recovers to no address.
    error BadSignature();
    /// @notice A signed delegation carries another nonce than the patient's next one.
    error BadNonce(uint64 expected, uint64 got);
    /// @notice This access-log entry is already on chain for this grant.
    error AccessAlreadyLogged(bytes32 entry);

    constructor() {
        _cachedChainId = block.chainid;
        _cachedDomain = _buildDomain();
    }

    // ---- EIP-712 ----

    /// @notice The EIP-712 domain separator of this registry on this chain.
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomain : _buildDomain();
    }

    function _buildDomain() private view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("HealthWallet"), keccak256("1"), block.chainid, address(this))
        );
    }

    /// @dev The signer of the typed data with struct hash `structHash`, after checking the deadline.
    /// The hashing and the ecrecover precompile call are in assembly: it saves some 300 gas per
    /// signed action over abi.encodePacked and the ecrecover builtin.
    function _signer(bytes32 structHash, uint64 deadline, bytes32 r, bytes32 vs) private view returns (address signer) {
        if (block.timestamp > deadline) revert Expired(deadline);
        bytes32 domain = domainSeparator();
        // s is vs without its top bit; v is 27 plus that bit (EIP-2098).
        uint256 s = uint256(vs) & ((1 << 255) - 1);
        if (s > HALF_N) revert BadSignature();
        uint256 v = (uint256(vs) >> 255) + 27;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0x1901)
            mstore(add(ptr, 0x20), domain)
            mstore(add(ptr, 0x40), structHash)
            // keccak256(0x1901 ‖ domain ‖ structHash): the two bytes end the first word.
            mstore(ptr, keccak256(add(ptr, 0x1e), 0x42))
            mstore(add(ptr, 0x20), v)
            mstore(add(ptr, 0x40), r)
            mstore(add(ptr, 0x60), s)
            mstore(0, 0)
            pop(staticcall(gas(), 1, ptr, 0x80, 0, 0x20))
            signer := mload(0)
        }
        if (signer == address(0)) revert BadSignature();
    }

    // ---- Anchors ----

    /// @notice Records that the caller committed to the batch with Merkle root `root` of `count`
    /// leaves at this block's time. A patient anchors a root once.
    function anchor(bytes32 root, uint32 count) external {
        _anchor(msg.sender, root, count);
    }

    /// @notice anchor for the signer of Anchor(root, count, deadline), submitted by anyone.
    function anchorSigned(bytes32 root, uint32 count, uint64 deadline, bytes32 r, bytes32 vs) external {
        address patient = _signer(keccak256(abi.encode(ANCHOR_TYPEHASH, root, count, deadline)), deadline, r, vs);
        _anchor(patient, root, count);
    }

    function _anchor(address patient, bytes32 root, uint32 count) private {
        if (root == bytes32(0)) revert EmptyRoot();
        if (count == 0) revert EmptyBatch();
        Anchor storage a = _anchors[keccak256(abi.encode(patient, root))];
        if (a.anchoredAt != 0) revert AlreadyAnchored(root, patient);
        a.anchoredAt = uint64(block.timestamp);
        a.count = count;
        emit Anchored(patient, root, count);
    }

    /// @notice When `patient` anchored `root` and over how many leaves; zero if it never did.
    function anchorOf(address patient, bytes32 root) external view returns (uint64 anchoredAt, uint32 count) {
        Anchor memory a = _anchors[keccak256(abi.encode(patient, root))];
        return (a.anchoredAt, a.count);
    }

    // ---- Grants ----

    /// @notice The storage key of `patient`'s grant with digest `digest`: the grant's handle in
    /// logAccess and in AccessLogged.
    function grantKeyOf(address patient, bytes32 digest) public pure returns (bytes32) {
        return keccak256(abi.encode(patient, digest));
    }

    /// @notice The caller, as patient, issues the grant with EIP-712 digest `digest`, valid until
    /// `expiry`; `accessKey` may sign its access-log entries (zero: none may).
    function issueGrant(bytes32 digest, address accessKey, uint64 expiry) external {
        _issue(msg.sender, msg.sender, digest, accessKey, expiry);
    }

    /// @notice Issues a grant for `patient`. Unless the caller is the patient, it must hold an
    /// active delegation with SHARE, and the grant may not outlive that delegation.
    function issueGrantFor(address patient, bytes32 digest, address accessKey, uint64 expiry) external {
        _issue(patient, msg.sender, digest, accessKey, expiry);
    }

    /// @notice issueGrantFor by the signer of IssueGrant(patient, digest, accessKey, expiry,
    /// deadline), submitted by anyone.
    function issueGrantSigned(
        address patient,
        bytes32 digest,
        address accessKey,
        uint64 expiry,
        uint64 deadline,
        bytes32 r,
        bytes32 vs
    ) external {
        address issuer = _signer(
            keccak256(abi.encode(ISSUE_GRANT_TYPEHASH, patient, digest, accessKey, expiry, deadline)), deadline, r, vs
        );
        _issue(patient, issuer, digest, accessKey, expiry);
    }

    function _issue(address patient, address issuer, bytes32 digest, address accessKey, uint64 expiry) private {
        bytes32 key = keccak256(abi.encode(patient, digest));
        if (issuer != patient) {
            Delegation storage d = _delegations[patient][issuer];
            if (d.rights & SHARE == 0 || d.expiry <= block.timestamp) revert NotAuthorized(issuer);
            if (expiry > d.expiry) revert BadExpiry(expiry);
            _delegateIssuer[key] = issuer;
        }
        if (expiry <= block.timestamp) revert BadExpiry(expiry);
        Grant storage g = _grants[key];
        if (g.expiry != 0) revert GrantExists(digest);
        g.accessKey = accessKey;
        g.expiry = expiry;
        emit GrantIssued(patient, digest, issuer, expiry);
    }

    /// @notice The caller revokes `patient`'s grant for good: the patient, a delegate of the
    /// patient with an active MANAGE right, or the delegate who issued the grant.
    function revokeGrant(address patient, bytes32 digest) external {
        _revoke(patient, msg.sender, digest);
    }

    /// @notice revokeGrant by the signer of RevokeGrant(patient, digest, deadline), submitted by anyone.
    function revokeGrantSigned(address patient, bytes32 digest, uint64 deadline, bytes32 r, bytes32 vs) external {
        address by = _signer(keccak256(abi.encode(REVOKE_GRANT_TYPEHASH, patient, digest, deadline)), deadline, r, vs);
        _revoke(patient, by, digest);
    }

    function _revoke(address patient, address by, bytes32 digest) private {
        bytes32 key = keccak256(abi.encode(patient, digest));
        Grant storage g = _grants[key];
        if (g.expiry == 0) revert GrantNotFound(digest);
        if (g.revoked) revert GrantAlreadyRevoked(digest);
        if (by != patient && !_holds(patient, by, MANAGE) && _delegateIssuer[key] != by) {
            revert NotAuthorized(by);
        }
        g.revoked = true;
        emit GrantRevoked(patient, digest, by);
    }

    /// @notice Logs an access under the active grant with key `grantKey`: `entry` is the salted
    /// commitment to the receiver's statement, signed with the grant's access key over
    /// LogAccess(grantKey, entry, deadline). Anyone may submit it; each entry is logged once.
    function logAccess(bytes32 grantKey, bytes32 entry, uint64 deadline, bytes32 r, bytes32 vs) external {
        address signer = _signer(keccak256(abi.encode(LOG_ACCESS_TYPEHASH, grantKey, entry, deadline)), deadline, r, vs);
        Grant memory g = _grants[grantKey];
        if (g.expiry == 0) revert GrantNotFound(grantKey);
        if (g.revoked) revert GrantAlreadyRevoked(grantKey);
        if (g.expiry <= block.timestamp) revert GrantExpired(grantKey, g.expiry);
        if (signer != g.accessKey) revert NotAuthorized(signer);
        bytes32 slot = keccak256(abi.encode(grantKey, entry));
        if (_logged[slot]) revert AccessAlreadyLogged(entry);
        _logged[slot] = true;
        emit AccessLogged(grantKey, entry);
    }

    /// @notice Whether `entry` was logged under the grant with key `grantKey`.
    function accessLogged(bytes32 grantKey, bytes32 entry) external view returns (bool) {
        return _logged[keccak256(abi.encode(grantKey, entry))];
    }

    /// @notice `patient`'s grant with digest `digest`: its issuer, access key, expiry, whether it
    /// was revoked, and whether it is active now (issued, not revoked, not expired). All zero if
    /// the patient never issued it.
    function grantOf(address patient, bytes32 digest)
        external
        view
        returns (address issuer, address accessKey, uint64 expiry, bool revoked, bool active)
    {
        bytes32 key = keccak256(abi.encode(patient, digest));
        Grant memory g = _grants[key];
        if (g.expiry == 0) return (address(0), address(0), 0, false, false);
        issuer = _delegateIssuer[key];
        if (issuer == address(0)) issuer = patient;
        return (issuer, g.accessKey, g.expiry, g.revoked, _active(g));
    }

    /// @notice Whether `patient` issued the grant, has not revoked it and it has not expired.
    function isGrantActive(address patient, bytes32 digest) external view returns (bool) {
        return _active(_grants[keccak256(abi.encode(patient, digest))]);
    }

    function _active(Grant memory g) private view returns (bool) {
        return g.expiry > block.timestamp && !g.revoked;
    }

    // ---- Delegations ----

    /// @notice The caller, as patient, gives `delegate` the `rights` (VIEW=1 | SHARE=2 | MANAGE=4)
    /// until `expiry` under the scope document with hash `scope`, replacing any earlier
    /// delegation to it.
    function setDelegate(address delegate, uint8 rights, uint64 expiry, bytes32 scope) external {
        _setDelegate(msg.sender, delegate, rights, expiry, scope);
    }

    /// @notice setDelegate for the signer of SetDelegate(delegate, rights, expiry, scope, nonce,
    /// deadline), submitted by anyone; `nonce` must be the signer's nonceOf, which it consumes.
    function setDelegateSigned(
        address delegate,
        uint8 rights,
        uint64 expiry,
        bytes32 scope,
        uint64 nonce,
        uint64 deadline,
        bytes32 r,
        bytes32 vs
    ) external {
        address patient = _signer(
            keccak256(abi.encode(SET_DELEGATE_TYPEHASH, delegate, rights, expiry, scope, nonce, deadline)),
            deadline,
            r,
            vs
        );
        _useNonce(patient, nonce);
        _setDelegate(patient, delegate, rights, expiry, scope);
    }

    function _setDelegate(address patient, address delegate, uint8 rights, uint64 expiry, bytes32 scope) private {
        if (delegate == address(0) || delegate == patient) revert BadDelegate(delegate);
        if (rights == 0 || rights & ~ALL_RIGHTS != 0) revert BadRights(rights);
        if (expiry <= block.timestamp) revert BadExpiry(expiry);
        if (scope == bytes32(0)) revert BadScope();
        _delegations[patient][delegate] = Delegation(rights, expiry, scope);
        emit DelegateSet(patient, delegate, rights, expiry, scope);
    }

    /// @notice The caller, as patient, ends its delegation to `delegate`. Grants the delegate already
    /// issued stay as they are; the patient revokes them one by one if it wants them gone.
    function revokeDelegate(address delegate) external {
        _revokeDelegate(msg.sender, delegate);
    }

    /// @notice revokeDelegate for the signer of RevokeDelegate(delegate, nonce, deadline),
    /// submitted by anyone; `nonce` must be the signer's nonceOf, which it consumes.
    function revokeDelegateSigned(address delegate, uint64 nonce, uint64 deadline, bytes32 r, bytes32 vs) external {
        address patient =
            _signer(keccak256(abi.encode(REVOKE_DELEGATE_TYPEHASH, delegate, nonce, deadline)), deadline, r, vs);
        _useNonce(patient, nonce);
        _revokeDelegate(patient, delegate);
    }

    function _revokeDelegate(address patient, address delegate) private {
        if (_delegations[patient][delegate].rights == 0) revert DelegateNotFound(patient, delegate);
        delete _delegations[patient][delegate];
        emit DelegateRevoked(patient, delegate);
    }

    function _useNonce(address patient, uint64 nonce) private {
        uint64 expected = _nonces[patient];
        if (nonce != expected) revert BadNonce(expected, nonce);
        _nonces[patient] = expected + 1;
    }

    /// @notice The nonce `patient`'s next signed delegation change must carry.
    function nonceOf(address patient) external view returns (uint64) {
        return _nonces[patient];
    }

    /// @notice The delegation from `patient` to `delegate`: its rights, expiry, scope hash, and
    /// whether it is active now. All zero if there is none.
    function delegateOf(address patient, address delegate)
        external
        view
        returns (uint8 rights, uint64 expiry, bytes32 scope, bool active)
    {
        Delegation memory d = _delegations[patient][delegate];
        return (d.rights, d.expiry, d.scope, d.rights != 0 && d.expiry > block.timestamp);
    }

    function _holds(address patient, address delegate, uint8 right) private view returns (bool) {
        Delegation storage d = _delegations[patient][delegate];
        return d.rights & right != 0 && d.expiry > block.timestamp;
    }
}
