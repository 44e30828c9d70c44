# Health Wallet — the two commands that matter are `make run` and `make test`.
# Everything else is here so those two work on a fresh machine.

GO        ?= go
BIN       := bin
# Debian/Ubuntu packages that Fyne's cgo build (OpenGL + X11) needs, and the
# independent QR decoder (zbarimg) and PDF tools (pdfimages, pdftoppm,
# pdftotext) the emergency card's tests read the printed card back with.
DEB_PKGS  := gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev zbar-tools poppler-utils chromium
BENCHTIME ?= 1s

.PHONY: all deps build run test test-short bench fuzz contracts viewer vet fmt-check clean

all: build

## deps: install the system packages the Fyne desktop build needs, the QR and
## PDF tools of the emergency card's tests, and npm (which installs the pinned
## solc for the contract check), when missing.
deps:
	@if command -v dpkg-query >/dev/null 2>&1; then \
		missing=""; \
		for p in $(DEB_PKGS); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
		done; \
		command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
		if [ -n "$$missing" ]; then \
			echo "make deps: installing$$missing"; \
			SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
			$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
		fi; \
	else \
		echo "make deps: not a Debian/Ubuntu system. Install a C compiler and the OpenGL and X11"; \
		echo "development headers yourself (Fedora: gcc libXcursor-devel libXrandr-devel mesa-libGL-devel"; \
		echo "libXi-devel libXinerama-devel libXxf86vm-devel libxkbcommon-devel; macOS: Xcode command line tools)."; \
	fi

## build: the app and the hw command line into ./bin
build: deps
	$(GO) build -o $(BIN)/hw ./cmd/hw
	$(GO) build -o $(BIN)/healthwallet ./cmd/healthwallet

## run: set up and open the app on its embedded defaults.
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ] && [ "$$(uname)" = Linux ]; then \
		echo "make run: there is no display here (DISPLAY is unset)."; \
		echo "  To see the app anyway:  apt-get install xvfb && xvfb-run -s '-screen 0 1280x800x24' $(BIN)/healthwallet"; \
		echo "  Or use the command line: $(BIN)/hw --help"; \
		exit 1; \
	fi
	$(BIN)/healthwallet

## test: the whole suite (vet, format, unit, integration, fuzz seed corpora).
test: deps fmt-check vet
	$(GO) test -count=1 -timeout 45m ./...

## test-short: the quick part of the suite.
test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## bench: the benchmarks, as a readable table.
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 60m ./... | { mkdir -p $(BIN); tee $(BIN)/bench.txt; } | $(GO) run ./cmd/benchtable

## fuzz: run each fuzz target for a while (FUZZTIME, default 30s). New inputs are
## minimized briefly (FUZZMINIMIZE): targets whose seeds are whole vault files
## would otherwise spend the run minimizing.
FUZZTIME ?= 30s
FUZZMINIMIZE ?= 20x
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg || exit 1; \
		done; \
	done

## contracts: recompile HealthRegistry.sol with the pinned solc-js and regenerate the Go bindings.
contracts:
	./chain/contracts/generate.sh

## viewer: rebuild the web viewer's bundle (wallet/viewer/dist) from wallet/viewer/web
viewer:
	./wallet/viewer/generate.sh

clean:
	rm -rf $(BIN)
