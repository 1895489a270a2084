# The public surface of oncehub_nb: the one list of what `import oncehub_nb` offers.
# Read by type checkers, and at run time by lazy_loader (see __init__.py), so each name
# loads its module (and httpx, ipywidgets) only when first used.

from ._version import __version__ as __version__
from .errors import (
    APIError as APIError,
)
from .errors import (
    AuthenticationError as AuthenticationError,
)
from .errors import (
    ConfigError as ConfigError,
)
from .errors import (
    ConnectionFailed as ConnectionFailed,
)
from .errors import (
    DotenvError as DotenvError,
)
from .errors import (
    InsecureURLError as InsecureURLError,
)
from .errors import (
    InvalidKeyInput as InvalidKeyInput,
)
from .errors import (
    InvalidRequestError as InvalidRequestError,
)
from .errors import (
    KeyNotFound as KeyNotFound,
)
from .errors import (
    KeyProblem as KeyProblem,
)
from .errors import (
    MalformedSignatureHeader as MalformedSignatureHeader,
)
from .errors import (
    NoInteractiveInput as NoInteractiveInput,
)
from .errors import (
    NoSessionKey as NoSessionKey,
)
from .errors import (
    NotFoundError as NotFoundError,
)
from .errors import (
    OnceHubError as OnceHubError,
)
from .errors import (
    PaymentRequired as PaymentRequired,
)
from .errors import (
    PermissionDenied as PermissionDenied,
)
from .errors import (
    RateLimitError as RateLimitError,
)
from .errors import (
    RequestProblem as RequestProblem,
)
from .errors import (
    ServerError as ServerError,
)
from .errors import (
    SignatureMismatch as SignatureMismatch,
)
from .errors import (
    TimeoutFailed as TimeoutFailed,
)
from .errors import (
    TimestampOutsideTolerance as TimestampOutsideTolerance,
)
from .errors import (
    TLSFailed as TLSFailed,
)
from .errors import (
    TransportError as TransportError,
)
from .errors import (
    UnexpectedResponse as UnexpectedResponse,
)
from .errors import (
    WebhookSignatureError as WebhookSignatureError,
)
from .explore.result import ErrorResult as ErrorResult
from .explore.result import ListResult as ListResult
from .explore.result import ObjectResult as ObjectResult
from .http.api_client import OnceHub as OnceHub
from .http.auth import APIKeyAuth as APIKeyAuth
from .ipython import load_ipython_extension as load_ipython_extension
from .ipython import unload_ipython_extension as unload_ipython_extension
from .ipython.widget import AuthWidget as AuthWidget
from .keys import ApiKey as ApiKey
from .keys import KeySearch as KeySearch
from .mirror import sync as sync
from .mirror.mirror import Mirror as Mirror
from .scanner import Finding as Finding
from .scanner import scan as scan
from .session import client as client
from .sources.search import find_key as find_key
from .sources.search import locate_key as locate_key
from .sources.search import require_key as require_key
from .validation import ValidationResult as ValidationResult
from .validation import check as check
from .validation import validate as validate
from .webhooks.inbox import WebhookInbox as WebhookInbox
from .whoami import status as status
