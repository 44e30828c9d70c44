// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title HealthRegistry: anchors, consent grants and caregiver delegations of Health Wallet.
/// @notice The registry stores hashes, addresses and times, never health data and never the
/// identity of whoever a grant is for:
///  - an anchor is the Merkle root of a batch of salted record commitments;
///  - a grant is the EIP-712 digest of a signed consent (the recipient and the scope live inside
///    the digest, off chain);
///  - a delegation lets a caregiver VIEW, SHARE (issue grants for the patient) or MANAGE
///    (revoke the patient's grants) until it expires.
/// Every state change emits an event whose first indexed topic is the patient, so a wallet rebuilds
/// its whole history with one log query on (registry address, topic1 = patient).
/// @dev Times are unix seconds compared with block.timestamp: a grant or delegation is active
/// while block.timestamp < expiry. Storage per grant is one slot (patient, expiry, revoked); the
/// issuer is implied to be the patient and takes a second slot only when a delegate issued it.
contract HealthRegistry {
    /// @dev Delegation rights, a bit set.
    uint8 internal constant VIEW = 1;
    uint8 internal constant SHARE = 2;
    uint8 internal constant MANAGE = 4;
    uint8 internal constant ALL_RIGHTS = VIEW | SHARE | MANAGE;

    /// @dev One slot: 20 + 8 + 4 bytes.
    struct Anchor {
        address patient;
        uint64 anchoredAt;
        uint32 count;
    }

    /// @dev One slot: 20 + 8 + 1 bytes.
    struct Grant {
        address patient;
        uint64 expiry;
        bool revoked;
    }

    /// @dev One slot: 1 + 8 bytes.
    struct Delegation {
        uint8 rights;
        uint64 expiry;
    }

    mapping(bytes32 root => Anchor) private _anchors;
    mapping(bytes32 digest => Grant) private _grants;
    /// @dev Set only for grants issued by a delegate; otherwise the issuer is the patient.
    mapping(bytes32 digest => address) private _delegateIssuer;
    mapping(address patient => mapping(address delegate => Delegation)) private _delegations;

    /// @notice A batch of `count` record commitments with Merkle root `root` was anchored.
    event Anchored(address indexed patient, bytes32 indexed root, uint32 count);
    /// @notice A grant was issued, by the patient or by a delegate with SHARE.
    event GrantIssued(address indexed patient, bytes32 indexed digest, address indexed issuer, uint64 expiry);
    /// @notice A grant was revoked, by the patient, a MANAGE delegate or its issuer.
    event GrantRevoked(address indexed patient, bytes32 indexed digest, address indexed by);
    /// @notice A delegation was created or replaced.
    event DelegateSet(address indexed patient, address indexed delegate, uint8 rights, uint64 expiry);
    /// @notice A delegation was removed by the patient.
    event DelegateRevoked(address indexed patient, address indexed delegate);
    /// @notice Records shared under a grant were accessed; `purpose` is the keccak256 of an HL7
    /// PurposeOfUse code. `accessor` is the transaction's sender, public anyway.
    event AccessLogged(address indexed patient, bytes32 indexed digest, address indexed accessor, bytes32 purpose);

    /// @notice The caller may not do this for this patient or grant.
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

    // ---- Anchors ----

    /// @notice Records that the caller committed to the batch with Merkle root `root` of `count`
    /// leaves at this block's time. A root is anchored once.
    function anchor(bytes32 root, uint32 count) external {
        if (root == bytes32(0)) revert EmptyRoot();
        if (count == 0) revert EmptyBatch();
        address prior = _anchors[root].patient;
        if (prior != address(0)) revert AlreadyAnchored(root, prior);
        _anchors[root] = Anchor(msg.sender, uint64(block.timestamp), count);
        emit Anchored(msg.sender, root, count);
    }

    /// @notice Who anchored `root`, when, and over how many leaves; all zero if never anchored.
    function anchorOf(bytes32 root) external view returns (address patient, uint64 anchoredAt, uint32 count) {
        Anchor memory a = _anchors[root];
        return (a.patient, a.anchoredAt, a.count);
    }

    // ---- Grants ----

    /// @notice The caller, as patient, issues the grant with EIP-712 digest `digest`, valid until `expiry`.
    function issueGrant(bytes32 digest, uint64 expiry) external {
        _issue(msg.sender, digest, expiry);
        emit GrantIssued(msg.sender, digest, msg.sender, expiry);
    }

    /// @notice Issues a grant for `patient`. Unless the caller is the patient, it must hold an active
    /// delegation with SHARE, and the grant may not outlive that delegation.
    function issueGrantFor(address patient, bytes32 digest, uint64 expiry) external {
        if (patient != msg.sender) {
            Delegation memory d = _delegations[patient][msg.sender];
            if (d.rights & SHARE == 0 || d.expiry <= block.timestamp) revert NotAuthorized(msg.sender);
            if (expiry > d.expiry) revert BadExpiry(expiry);
            _delegateIssuer[digest] = msg.sender;
        }
        _issue(patient, digest, expiry);
        emit GrantIssued(patient, digest, msg.sender, expiry);
    }

    function _issue(address patient, bytes32 digest, uint64 expiry) private {
        if (expiry <= block.timestamp) revert BadExpiry(expiry);
        if (_grants[digest].patient != address(0)) revert GrantExists(digest);
        _grants[digest] = Grant(patient, expiry, false);
    }

    /// @notice Revokes a grant for good. Allowed to the patient, to a delegate of the patient with an
    /// active MANAGE right, and to the delegate who issued the grant.
    function revokeGrant(bytes32 digest) external {
        Grant storage g = _grants[digest];
        address patient = g.patient;
        if (patient == address(0)) revert GrantNotFound(digest);
        if (g.revoked) revert GrantAlreadyRevoked(digest);
        if (msg.sender != patient && !_holds(patient, msg.sender, MANAGE) && _delegateIssuer[digest] != msg.sender) {
            revert NotAuthorized(msg.sender);
        }
        g.revoked = true;
        emit GrantRevoked(patient, digest, msg.sender);
    }

    /// @notice Logs an access to records shared under an active grant; reverts with GrantNotFound,
    /// GrantAlreadyRevoked or GrantExpired otherwise. Anyone holding the grant may log.
    function logAccess(bytes32 digest, bytes32 purpose) external {
        Grant memory g = _grants[digest];
        if (g.patient == address(0)) revert GrantNotFound(digest);
        if (g.revoked) revert GrantAlreadyRevoked(digest);
        if (g.expiry <= block.timestamp) revert GrantExpired(digest, g.expiry);
        emit AccessLogged(g.patient, digest, msg.sender, purpose);
    }

    /// @notice The grant's issuer and patient, its expiry, whether it was revoked, and whether it is
    /// active now (issued, not revoked, not expired). All zero if never issued.
    function grantOf(bytes32 digest)
        external
        view
        returns (address issuer, address patient, uint64 expiry, bool revoked, bool active)
    {
        Grant memory g = _grants[digest];
        issuer = _delegateIssuer[digest];
        if (issuer == address(0)) issuer = g.patient;
        return (issuer, g.patient, g.expiry, g.revoked, _active(g));
    }

    /// @notice Whether the grant was issued, is not revoked and has not expired.
    function isGrantActive(bytes32 digest) external view returns (bool) {
        return _active(_grants[digest]);
    }

    function _active(Grant memory g) private view returns (bool) {
        return g.patient != address(0) && !g.revoked && g.expiry > block.timestamp;
    }

    // ---- Delegations ----

    /// @notice The caller, as patient, gives `delegate` the `rights` (VIEW=1 | SHARE=2 | MANAGE=4)
    /// until `expiry`, replacing any earlier delegation to it.
    function setDelegate(address delegate, uint8 rights, uint64 expiry) external {
        if (delegate == address(0) || delegate == msg.sender) revert BadDelegate(delegate);
        if (rights == 0 || rights & ~ALL_RIGHTS != 0) revert BadRights(rights);
        if (expiry <= block.timestamp) revert BadExpiry(expiry);
        _delegations[msg.sender][delegate] = Delegation(rights, expiry);
        emit DelegateSet(msg.sender, delegate, rights, expiry);
    }

    /// @notice The caller, as patient, ends its delegation to `delegate`. Grants the delegate already
    /// issued stay as they are; the patient revokes them one by one if it wants them gone.
    function revokeDelegate(address delegate) external {
        if (_delegations[msg.sender][delegate].rights == 0) revert DelegateNotFound(msg.sender, delegate);
        delete _delegations[msg.sender][delegate];
        emit DelegateRevoked(msg.sender, delegate);
    }

    /// @notice The delegation from `patient` to `delegate`, and whether it is active now. All zero
    /// if there is none.
    function delegateOf(address patient, address delegate)
        external
        view
        returns (uint8 rights, uint64 expiry, bool active)
    {
        Delegation memory d = _delegations[patient][delegate];
        return (d.rights, d.expiry, d.rights != 0 && d.expiry > block.timestamp);
    }

    function _holds(address patient, address delegate, uint8 right) private view returns (bool) {
        Delegation memory d = _delegations[patient][delegate];
        return d.rights & right != 0 && d.expiry > block.timestamp;
    }
}
