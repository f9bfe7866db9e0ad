module github.com/qedus/osmpbf

go 1.16

require google.golang.org/protobuf v1.26.0 // sync version with OSMPBF/Makefile
