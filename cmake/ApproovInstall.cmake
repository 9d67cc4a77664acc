include(CMakePackageConfigHelpers)

install(TARGETS approov EXPORT approovTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/generated/include/approov/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/approov)

set(APPROOV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/approov)
install(EXPORT approovTargets NAMESPACE approov:: DESTINATION ${APPROOV_CMAKE_DIR})
configure_package_config_file(cmake/approovConfig.cmake.in
  ${PROJECT_BINARY_DIR}/approovConfig.cmake INSTALL_DESTINATION ${APPROOV_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/approovConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/approovConfig.cmake ${PROJECT_BINARY_DIR}/approovConfigVersion.cmake
  DESTINATION ${APPROOV_CMAKE_DIR})

# pkg-config: the prefix is found relative to the .pc file, so that `cmake --install --prefix DIR`
# (and any relocated package) gives flags that point into DIR, not into the configured prefix.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(APPROOV_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH APPROOV_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" APPROOV_PC_UP "${APPROOV_PC_UP}")
  set(APPROOV_PC_PREFIX "\${pcfiledir}/${APPROOV_PC_UP}")
endif()

# pkg-config: a static build must also pull in libcrypto (and hiredis, with the Redis store).
set(APPROOV_PC_DEPENDENCIES "libcrypto >= 3")
if(APPROOV_HAVE_HIREDIS)
  string(APPEND APPROOV_PC_DEPENDENCIES ", hiredis")
endif()
if(BUILD_SHARED_LIBS)
  set(APPROOV_PC_REQUIRES_PRIVATE "${APPROOV_PC_DEPENDENCIES}")
  set(APPROOV_PC_REQUIRES "")
else()
  set(APPROOV_PC_REQUIRES_PRIVATE "")
  set(APPROOV_PC_REQUIRES "${APPROOV_PC_DEPENDENCIES}")
endif()
# A static libapproov needs the C++ runtime when a C program links it: the libraries the C++
# compiler adds implicitly (libstdc++ with g++, libc++ with clang -stdlib=libc++) beyond the C
# compiler's own, as this toolchain reports them; nothing hard-coded.
set(APPROOV_PC_LIBS_PRIVATE "")
foreach(lib IN LISTS CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
  if(NOT lib IN_LIST CMAKE_C_IMPLICIT_LINK_LIBRARIES AND NOT lib MATCHES "^(gcc|gcc_s|c)$")
    string(APPEND APPROOV_PC_LIBS_PRIVATE " -l${lib}")
  endif()
endforeach()
string(STRIP "${APPROOV_PC_LIBS_PRIVATE}" APPROOV_PC_LIBS_PRIVATE)
configure_file(cmake/approov.pc.in ${PROJECT_BINARY_DIR}/approov.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/approov.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
